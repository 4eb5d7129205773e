"""The Python rules, one codemod per rule family; REGISTRY gives their order, which the survey and the
rewrite both follow.

The order matters where two rules meet one node: a ModelRepo is rewritten before a legacy id in its
call is looked at, and a string is a loader's constant before it is a start command or a path. A
server command's ids are replaced after those, in what the rules before left of its literal; a test
module's rewrites are held back last, once every rule has decided them.
"""

from .base import Codemod
from .held_tests import HeldTests
from .loader_args import LoaderArguments
from .moved_paths import MovedPaths
from .review import Review
from .serve_command import ServeCommand
from .start_command import StartCommand
from .subscripts import Subscripts
from .truss_objects import TrussObjects

REGISTRY: tuple[type[Codemod], ...] = (
    TrussObjects,
    LoaderArguments,
    Subscripts,
    StartCommand,
    MovedPaths,
    ServeCommand,
    Review,
    HeldTests,
)
for _place, _codemod in enumerate(REGISTRY):
    _codemod.rule = _place
