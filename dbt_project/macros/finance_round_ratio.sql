{#- numerator ÷ denominator rounded half away from zero to 2 places, exactly: both sides are
    exact decimals with at most 2 places (amounts in cents, times whole days), so the ratio is
    worked in integer hundredths; a double would round 1.005 down to 1.00. Null when the
    denominator is zero or null (an undefined figure is null, never an error or a zero). -#}
{% macro finance_round_ratio(numerator, denominator) -%}
    {{ return(adapter.dispatch('finance_round_ratio', 'amicable')(numerator, denominator)) }}
{%- endmacro %}

{#- DuckDB: decimal ÷ decimal gives a double, so divide integer hundredths with `//`. -#}
{% macro default__finance_round_ratio(numerator, denominator) -%}
    {{ finance_round_ratio_in_hundredths(numerator, denominator, 'hugeint', '//') }}
{%- endmacro %}

{#- The ratio worked in integer hundredths: `integer_type` holds them, `divide` is the
    engine's integral division operator. -#}
{% macro finance_round_ratio_in_hundredths(numerator, denominator, integer_type, divide) -%}
    {%- set num = 'cast((' ~ numerator ~ ') * 100 as ' ~ integer_type ~ ')' -%}
    {%- set den = 'cast((' ~ denominator ~ ') * 100 as ' ~ integer_type ~ ')' -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else cast(
            cast(
                sign({{ num }}) * sign({{ den }})
                * ((2 * abs({{ num }}) * 100 + abs({{ den }})) {{ divide }} (2 * abs({{ den }})))
                as decimal(38, 0)
            ) * 0.01 as decimal(18, 2)
        )
    end
{%- endmacro %}

{#- Postgres: numeric division is exact to well past 2 places. -#}
{% macro postgres__finance_round_ratio(numerator, denominator) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else cast(round(cast({{ numerator }} as numeric) / ({{ denominator }}), 2) as decimal(18, 2))
    end
{%- endmacro %}

{#- Spark: DuckDB's computation, with decimal(38, 0) for hugeint and `div` for `//`. -#}
{% macro spark__finance_round_ratio(numerator, denominator) -%}
    {{ finance_round_ratio_in_hundredths(numerator, denominator, 'decimal(38, 0)', 'div') }}
{%- endmacro %}
