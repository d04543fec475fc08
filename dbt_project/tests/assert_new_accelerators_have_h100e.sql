{{ config(severity='warn') }}
-- An accelerator string that first appears on the newest loaded list and has no H100-equivalent estimate (no
-- spec, no 16-bit peak, no cores per GPU, or a count that does not fit Rpeak): the list's national figures
-- undercount it until the specs learn the chip (seeds accelerator_peak_facts, accelerator_core_counts). A
-- warning, not a failed run: marts.h100e_coverage shows the share of accelerated Rmax it leaves unestimated.
with coverage as (
    select * from {{ ref('h100e_coverage') }}
    where list_date = (select max(list_date) from {{ ref('h100e_coverage') }})
)

select list_label, new_unestimated_accelerators, rmax_share_estimated
from coverage
where new_unestimated_accelerators is not null
