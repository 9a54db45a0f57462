"""Where the course lives: the one place that holds the repository URL (notebook 00)."""

# A fork changes these two lines; `make student` and the README table follow.
REPO_URL = "https://github.com/mmai-course/multimodal-medical-ai-handson"
BRANCH = "main"


def colab_url(path: str) -> str:
    """Open-in-Colab link for a notebook path inside the repository (notebook 00)."""
    slug = REPO_URL.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{slug}/blob/{BRANCH}/{path}"


def colab_badge(path: str) -> str:
    """Markdown 'Open in Colab' badge for a notebook path (notebook 00)."""
    badge = "https://colab.research.google.com/assets/colab-badge.svg"
    return f"[![Open in Colab]({badge})]({colab_url(path)})"


def colab_setup_cell() -> str:
    """Source of every notebook's first code cell: installs the course on Colab only."""
    return (
        "# Colab only: install the course package. Elsewhere this cell does nothing.\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    subprocess.run(\n"
        f'        [sys.executable, "-m", "pip", "install", "-q", "git+{REPO_URL}@{BRANCH}"],\n'
        "        check=True,\n"
        "    )"
    )
