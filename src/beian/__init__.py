"""beian (备案): toolkit and registry for China's generative-AI service filing."""

__version__ = "0.1.0"

__all__ = ["__version__"]
