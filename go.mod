module creditestimator

go 1.26

require (
	github.com/andybalholm/brotli v1.2.8 // indirect
	github.com/hack-pad/safejs v0.1.0 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
