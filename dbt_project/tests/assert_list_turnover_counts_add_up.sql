-- The previous list's systems either stayed (linked from this list) or left, and this list's entries are
-- new or stayed: a linkage whose flags and keys disagree breaks one of the sums.
select list_date, entries, new_entries, stayed_entries, left_systems, previous_list_entries
from {{ ref('list_turnover') }}
where
    previous_list_date is not null
    and (
        stayed_entries + left_systems <> previous_list_entries
        or new_entries + stayed_entries <> entries
    )
