-- Every list loaded in raw has a turnover row, with turnover figures wherever its previous list
-- (edition - 1) is loaded and a year-on-year growth wherever the list of 12 months earlier is.
-- Decided from the raw lists, so a bug that drops lists or nulls figures cannot switch the test off.
with loaded as (
    select distinct list_date, edition from {{ source('raw', 'top500_entries') }}
),

expected as (
    select
        list_date,
        exists(
            select 1 from loaded as p
            where p.edition = loaded.edition - 1
        ) as has_previous,
        exists(
            select 1 from loaded as y
            where y.list_date = loaded.list_date - interval 1 year
        ) as has_year_ago
    from loaded
)

select expected.list_date, expected.has_previous, expected.has_year_ago, turnover.list_date as turnover_row
from expected
left join {{ ref('list_turnover') }} as turnover using (list_date)
where
    turnover.list_date is null
    or (expected.has_previous and (
        turnover.new_entries is null or turnover.left_systems is null
        or turnover.stayed_entries is null or turnover.replacement_rate_pct is null
        or turnover.new_entries_rmax_share_pct is null
    ))
    or (not expected.has_previous and turnover.new_entries is not null)
    or (expected.has_year_ago and turnover.rank500_rmax_yoy_growth_pct is null)
    or (not expected.has_year_ago and turnover.rank500_rmax_yoy_growth_pct is not null)
