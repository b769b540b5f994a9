"""Every write to the building economy: archives, target sets, enterprises, occupancies and tax
records, each in one transaction with its audit row. Writes that change which tax a building
gets (tax records, occupancies, an enterprise's industry) update the `BuildingYearTax` rollup in
the same transaction by the difference they make; `rollup_rebuild` recomputes it from scratch.

One module per entity (`buildings` with their units, `targets`, `enterprises`, `occupancies`,
`tax`), the rollup, and what the imports' batch upserts share (`batch`), all importable from
here."""

from louyu.economy.services.batch import BatchResult, any_of, batch_audit
from louyu.economy.services.buildings import (
    building_photo_add,
    building_photo_delete,
    building_profile_save,
    buildings_upsert,
    units_upsert,
)
from louyu.economy.services.enterprises import (
    enterprise_create,
    enterprise_update,
    enterprises_upsert,
    industry_load,
)
from louyu.economy.services.occupancies import (
    occupancies_upsert,
    occupancy_create,
    occupancy_update,
)
from louyu.economy.services.rollup import rollup_compute, rollup_rebuild
from louyu.economy.services.targets import (
    target_add,
    target_remove,
    target_set_copy,
    target_set_replace,
    targets_upsert,
)
from louyu.economy.services.tax import tax_record_delete, tax_record_save, tax_records_upsert

__all__ = [
    "BatchResult",
    "any_of",
    "batch_audit",
    "building_photo_add",
    "building_photo_delete",
    "building_profile_save",
    "buildings_upsert",
    "enterprise_create",
    "enterprise_update",
    "enterprises_upsert",
    "industry_load",
    "occupancies_upsert",
    "occupancy_create",
    "occupancy_update",
    "rollup_compute",
    "rollup_rebuild",
    "target_add",
    "target_remove",
    "target_set_copy",
    "target_set_replace",
    "targets_upsert",
    "tax_record_delete",
    "tax_record_save",
    "tax_records_upsert",
    "units_upsert",
]
