"""The optional compiled gram kernel; everything else is in pyproject.toml.

Where it cannot be built (no C compiler, no Python headers) the install goes on without
it and ``trustwatch.ml.features`` scores with numpy, to the same bits.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "trustwatch.ml._grams",
            ["src/trustwatch/ml/_grams.c"],
            # No fused multiply-adds: the kernel must round exactly as numpy's path does.
            extra_compile_args=["-ffp-contract=off", "-fno-strict-aliasing"],
            optional=True,
        )
    ]
)
