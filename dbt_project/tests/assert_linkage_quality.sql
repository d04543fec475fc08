-- Every list whose previous list is loaded links at least 30% of its entries to the previous
-- list (turnover is about a third), and never more than the list has.
select *
from {{ ref('system_linkage_quality') }}
where
    previous_list_loaded
    and (linked_pct < 30 or linked_entries > entries)
