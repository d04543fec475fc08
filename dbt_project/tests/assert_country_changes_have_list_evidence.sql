-- A link between entries of two countries is allowed only on the lists' own fields: the System ID, or First
-- Appearance + First Rank, or the printed Previous Rank with the same First Appearance (rules system_id,
-- system_id_changed, first_appearance, previous_rank). Text alone never moves a system across a border
-- (identical anonymous sites such as "IT Services Provider (B)" in India and Canada were once crossed).
select entry_id, list_date, rank, country, previous_entry_id, previous_country, link_method
from {{ ref('int_top500__entry_links') }}
where
    previous_country <> country
    and link_method not in ('system_id', 'system_id_changed', 'first_appearance', 'previous_rank')
