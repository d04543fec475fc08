-- Meta compared RSC phase 1 (6,080 A100) with Perlmutter (6,144 A100, Rmax 70.87 PF): the estimate must land
-- within 25% of Perlmutter's Rmax, with Perlmutter inside its range, and rank in the top 10 of 2022-06.
-- Checked when the 2021-11 and 2022-06 lists are loaded (a partial source may lack them).
with rsc as (
    select * from {{ ref('announced_systems') }}
    where system_name = 'Meta AI Research SuperCluster (RSC) phase 1'
),

perlmutter as (
    select rmax_tflops from {{ ref('list_entries') }}
    where list_label = '2021-11' and system_name = 'Perlmutter'
),

failures as (
    select rsc.system_name, rsc.est_rmax_tflops, rsc.would_rank, perlmutter.rmax_tflops
    from rsc
    full outer join perlmutter on true
    where
        rsc.system_name is null
        or perlmutter.rmax_tflops is null
        or rsc.compared_list_label <> '2022-06'
        or rsc.would_rank > 10
        or abs(rsc.est_rmax_tflops / perlmutter.rmax_tflops - 1) > 0.25
        or perlmutter.rmax_tflops not between rsc.est_rmax_tflops_low and rsc.est_rmax_tflops_high
)

select * from failures
where
    exists (
        select 1 from {{ source('raw', 'top500_entries') }}
        where list_date = date '2021-11-01'
    )
    and exists (
        select 1 from {{ source('raw', 'top500_entries') }}
        where list_date = date '2022-06-01'
    )
