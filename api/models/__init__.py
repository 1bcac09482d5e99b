"""Request and response models, one module per resource group: they document the API (OpenAPI)
and the tests check the responses against them."""
