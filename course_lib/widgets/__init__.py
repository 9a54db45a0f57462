"""ipywidgets demos, one module per modality or topic; each widget wraps a plain function that tests call."""
