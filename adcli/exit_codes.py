"""The contract's exit codes, shared by the library's reports and the command line."""

EXIT_OK = 0  # everything held
EXIT_FAILED = 1  # an expectation or a gradient check failed, or a step failed undeclared
EXIT_INVALID = 2  # a spec or the command line is invalid
EXIT_INTERNAL = 3  # a bug in adcli
