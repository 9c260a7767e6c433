"""Pure helpers that know no feature and import no Flask model."""
