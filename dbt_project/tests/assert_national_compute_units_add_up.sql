-- national_compute's total_h100e is what its units add (int_national_compute__units), though its listed part is
-- summed from the list entries directly: per list date and country the two agree, so a listed system missing from
-- the units (or counted there twice) shows here as the country and date it moves.
with units as (

    select
        list_date,
        country,
        coalesce(sum(counted_h100e), 0) as counted_h100e
    from {{ ref('int_national_compute__units') }}
    group by list_date, country

)

select
    national.list_label,
    national.country,
    national.total_h100e,
    coalesce(units.counted_h100e, 0) as counted_h100e
from {{ ref('national_compute') }} as national
left join units using (list_date, country)
where
    national.is_within_epoch_coverage
    and abs(national.total_h100e - coalesce(units.counted_h100e, 0)) > 1e-6 * greatest(national.total_h100e, 1)
