"""The import spec of each kind: its columns, its natural key, how references (buildings,
industries, enterprises, units) are resolved, and which batch service writes it.

Natural keys (what makes a row "the same" on re-import):

- buildings: street name + building-community name + building name (the jurisdiction path);
  street and community must exist already, the building is created under them.
- units: building + floor number + unit number.
- enterprises: the unified social credit code (GB 32100, checked with python-stdnum; lower case
  and spaces accepted, stored upper case).
- occupancies: credit code + building + move-in date (a move is a new row, never an overwrite).
- tax: credit code + year + month + tax type.
- targets: year + building (a row adds the building to that year's target set).

A building is referred to by its name, with the building community beside it when two buildings
share a name. An empty optional cell leaves the stored value as it is.
"""

from __future__ import annotations

from louyu.economy.imports.specs.base import Context, Spec
from louyu.economy.imports.specs.buildings import BUILDINGS
from louyu.economy.imports.specs.enterprises import ENTERPRISES
from louyu.economy.imports.specs.occupancies import OCCUPANCIES
from louyu.economy.imports.specs.targets import TARGETS
from louyu.economy.imports.specs.tax import TAX
from louyu.economy.imports.specs.units import UNITS

__all__ = ["SPECS", "Context", "Spec"]

SPECS: dict[str, Spec] = {
    s.kind: s for s in (BUILDINGS, UNITS, ENTERPRISES, OCCUPANCIES, TAX, TARGETS)
}
