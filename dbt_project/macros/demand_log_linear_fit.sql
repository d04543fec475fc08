{#- Least-squares fit of ln(y) on x (decimal years) per group, with the 95% interval of the slope from
    Student's t (n - 2 degrees of freedom, macro t_quantile_975), as doubling time in months and annual
    factor. `relation` is a CTE or table with the group columns, `x` and `y`; returns one row per group.
    Same formulas as marts.performance_trend, so demand and supply rates are comparable. -#}
{% macro demand_log_linear_fit(relation, group_by, x, y) -%}
    select
        *,
        exp(slope_ln_per_year) as annual_growth_factor,
        exp(slope_ln_per_year - t_critical_95 * slope_se) as annual_growth_factor_lower_95,
        exp(slope_ln_per_year + t_critical_95 * slope_se) as annual_growth_factor_upper_95,
        case when slope_ln_per_year > 0 then 12 * ln(2) / slope_ln_per_year end as doubling_time_months,
        -- a steeper slope doubles sooner: the upper slope bound gives the lower doubling time
        case when slope_ln_per_year + t_critical_95 * slope_se > 0
            then 12 * ln(2) / (slope_ln_per_year + t_critical_95 * slope_se) end as doubling_time_months_lower_95,
        case when slope_ln_per_year - t_critical_95 * slope_se > 0
            then 12 * ln(2) / (slope_ln_per_year - t_critical_95 * slope_se) end as doubling_time_months_upper_95
    from (
        select
            *,
            sqrt(greatest(syy - sxy * sxy / sxx, 0) / (n - 2) / sxx) as slope_se,
            {{ t_quantile_975('n - 2') }} as t_critical_95
        from (
            select
                {{ group_by | join(', ') }},
                regr_count(ln({{ y }}), {{ x }}) as n,
                regr_slope(ln({{ y }}), {{ x }}) as slope_ln_per_year,
                regr_intercept(ln({{ y }}), {{ x }}) as intercept_ln,
                regr_r2(ln({{ y }}), {{ x }}) as r_squared,
                regr_sxx(ln({{ y }}), {{ x }}) as sxx,
                regr_syy(ln({{ y }}), {{ x }}) as syy,
                regr_sxy(ln({{ y }}), {{ x }}) as sxy
            from {{ relation }}
            where {{ y }} > 0
            group by {{ group_by | join(', ') }}
        ) as sums
        -- the t expansion is accurate from 5 degrees of freedom
        where n >= 7 and sxx > 0
    ) as fitted
{%- endmacro %}
