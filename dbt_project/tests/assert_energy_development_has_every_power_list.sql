-- Every list loaded in raw with entries reporting power (and Rmax) has an energy_development row counting them
-- all, and no other list has one. Decided from the raw lists, not from the model under test.
with expected as (
    select list_date, count(*) as power_reporting_entries
    from {{ source('raw', 'top500_entries') }}
    where power_kw > 0 and rmax_tflops > 0
    group by list_date
)

select
    coalesce(expected.list_date, energy.list_date) as list_date,
    expected.power_reporting_entries as expected_entries,
    energy.power_reporting_entries as mart_entries
from expected
full outer join {{ ref('energy_development') }} as energy using (list_date)
where energy.power_reporting_entries is distinct from expected.power_reporting_entries
