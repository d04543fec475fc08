-- A list's country changes add up to the change of the list's totals (a country that left has a 0-system row
-- carrying its decrease; 2021-11: Hong Kong), and are NULL exactly where the earlier list is not loaded (the
-- first list; a year earlier for the first two). Totals come from raw, not from the model under test; that every
-- loaded list is in the mart at all is the marts gate's rule (expectations/marts.py).
with totals as (
    select edition, count(*) as systems, sum(rmax_tflops) as rmax_tflops
    from {{ source('raw', 'top500_entries') }}
    group by edition
),

changes as (
    select
        edition,
        sum(systems_change_vs_previous_list) as systems_change,
        sum(rmax_tflops_change_vs_previous_list) as rmax_change,
        sum(rmax_tflops_change_vs_year_ago) as rmax_change_year,
        count(systems_change_vs_previous_list) as with_previous,
        count(rmax_tflops_change_vs_year_ago) as with_year_ago,
        count(*) as country_rows
    from {{ ref('country_list_stats') }}
    group by edition
)

select totals.edition, changes.*, previous.rmax_tflops as previous_total, year_ago.rmax_tflops as year_ago_total
from totals
inner join changes using (edition)
left join totals as previous on previous.edition = totals.edition - 1
left join totals as year_ago on year_ago.edition = totals.edition - 2
where
    (previous.edition is null and changes.with_previous > 0)
    or (previous.edition is not null and (
        changes.with_previous <> changes.country_rows
        or changes.systems_change <> totals.systems - previous.systems
        or abs(changes.rmax_change - (totals.rmax_tflops - previous.rmax_tflops)) > 0.001
    ))
    or (year_ago.edition is null and changes.with_year_ago > 0)
    or (year_ago.edition is not null and (
        changes.with_year_ago <> changes.country_rows
        or abs(changes.rmax_change_year - (totals.rmax_tflops - year_ago.rmax_tflops)) > 0.001
    ))
