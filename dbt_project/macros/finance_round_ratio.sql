{#- numerator ÷ denominator rounded half away from zero to `places` places (2 by default),
    exactly: both sides are exact decimals with at most 2 places (amounts in cents, counts,
    times whole days), so the ratio is worked in integers; a double would round 1.005 down to
    1.00 (or a rate of 0.01875 down to 0.0187). Null when the denominator is zero or null (an
    undefined figure is null, never an error or a zero). The result is a decimal(18, places). -#}
{% macro finance_round_ratio(numerator, denominator, places=2) -%}
    {{ return(adapter.dispatch('finance_round_ratio', 'amicable')(numerator, denominator, places)) }}
{%- endmacro %}

{#- DuckDB: decimal ÷ decimal gives a double, so divide integers with `//`. -#}
{% macro default__finance_round_ratio(numerator, denominator, places) -%}
    {{ finance_round_ratio_in_integers(numerator, denominator, places, 'hugeint', '//') }}
{%- endmacro %}

{#- The ratio worked in integers: both sides in hundredths, the quotient in units of
    10^-places rounded half away from zero (twice the numerator plus the denominator, over
    twice the denominator, floored); `integer_type` holds them, `divide` is the engine's
    integral division operator. -#}
{% macro finance_round_ratio_in_integers(numerator, denominator, places, integer_type, divide) -%}
    {%- set num = 'cast((' ~ numerator ~ ') * 100 as ' ~ integer_type ~ ')' -%}
    {%- set den = 'cast((' ~ denominator ~ ') * 100 as ' ~ integer_type ~ ')' -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else cast(
            cast(
                sign({{ num }}) * sign({{ den }})
                * ((2 * abs({{ num }}) * {{ 10 ** places }} + abs({{ den }}))
                    {{ divide }} (2 * abs({{ den }})))
                as decimal(38, 0)
            ) * {{ '0.' ~ '0' * (places - 1) ~ '1' }} as decimal(18, {{ places }})
        )
    end
{%- endmacro %}

{#- Postgres: numeric division is exact to well past the places kept. -#}
{% macro postgres__finance_round_ratio(numerator, denominator, places) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else cast(
            round(cast({{ numerator }} as numeric) / ({{ denominator }}), {{ places }})
            as decimal(18, {{ places }})
        )
    end
{%- endmacro %}

{#- Spark: DuckDB's computation, with decimal(38, 0) for hugeint and `div` for `//`. -#}
{% macro spark__finance_round_ratio(numerator, denominator, places) -%}
    {{ finance_round_ratio_in_integers(numerator, denominator, places, 'decimal(38, 0)', 'div') }}
{%- endmacro %}
