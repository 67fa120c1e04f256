"""Stand-ins for adcli.nn / adcli.optim in the spec-language tests (see test_spec_objects)."""
