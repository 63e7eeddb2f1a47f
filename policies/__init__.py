"""The bundled illustrative policy corpus: YAML data files read through importlib.resources."""
