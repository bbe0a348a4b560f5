"""The core pipeline's graph handling: parsing sources into stores and graphs, and writing every published syntax."""
