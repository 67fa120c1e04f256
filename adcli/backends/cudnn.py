"""``torch.backends.cudnn``: the flags tutorials set (they change nothing on the CPU)."""

enabled = True
deterministic = False
benchmark = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version() -> None:
    return None
