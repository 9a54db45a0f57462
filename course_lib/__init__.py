"""course_lib: the shared library of the Multimodal Medical AI hands-on course."""

from course_lib.setup import CourseEnv, data_dir, pick_device, seed_everything, setup_notebook

__version__ = "0.1.0"
__all__ = ["CourseEnv", "data_dir", "pick_device", "seed_everything", "setup_notebook"]
