-- Doubling time and annual factor are two views of one rate; bounds must bracket the estimate.
select estimate_kind, selection, doubling_time_months, annual_growth_factor
from {{ ref('demand_growth_fits') }}
where
    abs(ln(annual_growth_factor) - 12 * ln(2) / doubling_time_months) > 1e-9
    or doubling_time_months_lower > doubling_time_months
    or doubling_time_months_upper < doubling_time_months
    or annual_growth_factor_lower > annual_growth_factor
    or annual_growth_factor_upper < annual_growth_factor
