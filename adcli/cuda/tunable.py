"""``torch.cuda.tunable``: TunableOp (GEMM autotuning on the GPU); a CPU build lacks every
binding behind it."""

from __future__ import annotations

from ._base import no_binding

__all__ = [
    "enable", "get_filename", "get_max_tuning_duration", "get_max_tuning_iterations",
    "get_results", "get_rotating_buffer_size", "get_validators", "is_enabled",
    "mgpu_tune_gemm_in_file", "read_file", "record_untuned_enable",
    "record_untuned_is_enabled", "set_filename", "set_max_tuning_duration",
    "set_max_tuning_iterations", "set_numerical_check_tolerances",
    "set_rotating_buffer_size", "tune_gemm_in_file", "tuning_enable", "tuning_is_enabled",
]
_T = "_cuda_tunableop_"


def enable(val: bool = True) -> None:
    no_binding(_T + "enable")


def is_enabled() -> bool:
    no_binding(_T + "is_enabled")


def tuning_enable(val: bool = True) -> None:
    no_binding(_T + "tuning_enable")


def tuning_is_enabled() -> bool:
    no_binding(_T + "tuning_is_enabled")


def record_untuned_enable(val: bool = True) -> None:
    no_binding("_cuda_record_untuned_enable")


def record_untuned_is_enabled() -> bool:
    no_binding("_cuda_record_untuned_is_enabled")


def set_max_tuning_duration(duration: int) -> None:
    no_binding(_T + "set_max_tuning_duration")


def get_max_tuning_duration() -> int:
    no_binding(_T + "get_max_tuning_duration")


def set_max_tuning_iterations(iterations: int) -> None:
    no_binding(_T + "set_max_tuning_iterations")


def get_max_tuning_iterations() -> int:
    no_binding(_T + "get_max_tuning_iterations")


def set_filename(filename: str, insert_device_ordinal: bool = False) -> None:
    no_binding(_T + "set_filename")


def get_filename() -> str:
    no_binding(_T + "get_filename")


def get_results() -> tuple[str, str, str, float]:
    no_binding(_T + "get_results")


def get_validators() -> tuple[str, str]:
    no_binding(_T + "get_validators")


def read_file(filename: str | None = None) -> bool:
    if filename is None:
        filename = get_filename()
    no_binding(_T + "read_file")


def set_rotating_buffer_size(buffer_size: int) -> None:
    no_binding(_T + "set_rotating_buffer_size")


def get_rotating_buffer_size() -> int:
    no_binding(_T + "get_rotating_buffer_size")


def set_numerical_check_tolerances(enable: bool, atol: float = 1e-5,
                                   rtol: float = 1e-5) -> None:
    no_binding(_T + "set_numerical_check_tolerances")


def tune_gemm_in_file(filename: str) -> None:
    is_enabled()


def mgpu_tune_gemm_in_file(filename_pattern: str, num_gpus: int) -> None:
    # torch checks the count against the (zero) visible devices first
    if not 1 <= num_gpus <= 0:
        raise AssertionError(f"num_gpus must be between 1 and 0, got {num_gpus}")
