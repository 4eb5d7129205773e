"""The Python rules, one codemod per rule family, in the order they run.

`Survey` (survey.py) reads the module once for all of them; `Rewrite` (rewrite.py) runs them.
"""

from .loader_args import LoaderArguments
from .moved_paths import MovedPaths
from .review import Review
from .start_command import StartCommand
from .subscripts import Subscripts
from .truss_objects import TrussObjects

# The order matters where two rules meet one node: a ModelRepo is rewritten before a legacy id in
# its call is looked at, and a string is a loader's constant before it is a start command or a path.
REGISTRY = (TrussObjects, LoaderArguments, Subscripts, StartCommand, MovedPaths, Review)
