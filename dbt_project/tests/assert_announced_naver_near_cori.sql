-- Naver's SuperPOD (1,120 A100) was billed as "about 14 PF", like NERSC's Cori (Rmax 14.0 PF): the estimate
-- must land within 25% of Cori and Cori's Rmax inside the estimate's range, on the 2020-11 list.
-- Checked when the 2020-11 list is loaded (a partial source may lack it).
with naver as (
    select * from {{ ref('announced_systems') }}
    where system_name = 'Naver NVIDIA DGX SuperPOD'
),

cori as (
    select rmax_tflops from {{ ref('list_entries') }}
    where list_label = '2020-11' and system_name = 'Cori'
),

failures as (
    select naver.system_name, naver.est_rmax_tflops, cori.rmax_tflops
    from naver
    full outer join cori on true
    where
        naver.system_name is null
        or cori.rmax_tflops is null
        or naver.compared_list_label <> '2020-11'
        or abs(naver.est_rmax_tflops / cori.rmax_tflops - 1) > 0.25
        or cori.rmax_tflops not between naver.est_rmax_tflops_low and naver.est_rmax_tflops_high
)

select * from failures
where exists (
    select 1 from {{ source('raw', 'top500_entries') }}
    where list_date = date '2020-11-01'
)
