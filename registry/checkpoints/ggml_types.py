"""The ggml tensor types a GGUF file may use, and what counts as quantized.

``GGML_TYPES`` maps each type id to (name, elements per block, bytes per block), as ggml
defines them (``ggml.h``; the same table as ``gguf.GGML_QUANT_SIZES``, which a test compares
with this one). Ids ggml has retired (4, 5 and 31-33: removed Q4_2/Q4_3 and the repacked
Q4_0 variants; 36-38) are unknown, so a file using them is refused.

``general.file_type`` holds llama.cpp's ``llama_ftype``: 0 all F32, 1 mostly F16, 32 mostly
BF16, 1024 "guessed" (not stated); every other value names a quantization.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

GGML_TYPES: Mapping[int, tuple[str, int, int]] = {
    0: ("F32", 1, 4),
    1: ("F16", 1, 2),
    2: ("Q4_0", 32, 18),
    3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22),
    7: ("Q5_1", 32, 24),
    8: ("Q8_0", 32, 34),
    9: ("Q8_1", 32, 40),
    10: ("Q2_K", 256, 84),
    11: ("Q3_K", 256, 110),
    12: ("Q4_K", 256, 144),
    13: ("Q5_K", 256, 176),
    14: ("Q6_K", 256, 210),
    15: ("Q8_K", 256, 292),
    16: ("IQ2_XXS", 256, 66),
    17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98),
    19: ("IQ1_S", 256, 50),
    20: ("IQ4_NL", 32, 18),
    21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82),
    23: ("IQ4_XS", 256, 136),
    24: ("I8", 1, 1),
    25: ("I16", 1, 2),
    26: ("I32", 1, 4),
    27: ("I64", 1, 8),
    28: ("F64", 1, 8),
    29: ("IQ1_M", 256, 56),
    30: ("BF16", 1, 2),
    34: ("TQ1_0", 256, 54),
    35: ("TQ2_0", 256, 66),
    39: ("MXFP4", 32, 17),
    40: ("NVFP4", 64, 36),
    41: ("Q1_0", 128, 18),
}

GGML_TYPE_IDS: Mapping[str, int] = {name: tid for tid, (name, _, _) in GGML_TYPES.items()}

# Types that store plain values rather than quantized blocks.
UNQUANTIZED = frozenset({"F32", "F16", "BF16", "F64", "I8", "I16", "I32", "I64"})

# llama_ftype values that do not name a quantization: all F32, mostly F16, mostly BF16, guessed.
_UNQUANTIZED_FILE_TYPES = frozenset({0, 1, 32})
FILE_TYPE_GUESSED = 1024


def is_quantized_type(name: str) -> bool:
    return name not in UNQUANTIZED


def is_quantized(file_type: object, tensor_types: Iterable[str]) -> bool:
    """Whether a GGUF holds a quantization: ``general.file_type`` when it states one, else
    whether any tensor is stored in quantized blocks."""
    if isinstance(file_type, int) and not isinstance(file_type, bool):
        if file_type != FILE_TYPE_GUESSED:
            return file_type not in _UNQUANTIZED_FILE_TYPES
    return any(is_quantized_type(t) for t in tensor_types)
