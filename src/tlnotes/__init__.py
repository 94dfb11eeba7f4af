"""tlnotes: an annotated reading-list knowledge base.

The core is `load(root) -> KnowledgeBase`; everything else (the CLI, the
site) is an adapter around it.
"""

from .load import load
from .model import Bullet, KnowledgeBase, Paper, Problem, Topic

__all__ = ["load", "Bullet", "KnowledgeBase", "Paper", "Problem", "Topic"]
__version__ = "0.1.0"
