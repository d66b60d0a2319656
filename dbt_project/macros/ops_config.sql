{#- The mapping in var `name` (a section of config/amicable.yml, passed by `amicable build` as
    amicable.config.Config.dbt_vars), checked for every key of `required_keys` (a dotted key,
    `no_contact_days.default`, looks inside a nested mapping). The thresholds have one home, the
    configuration file, so there are no defaults here: a missing var or key fails the compile
    with a message naming it (a bare `dbt build` without --vars stops instead of building
    figures on made-up thresholds). While dbt only parses the project (`execute` is false) the
    value is not needed: every key then reads as an empty mapping. -#}
{% macro ops_config(name, required_keys) -%}
    {%- if not execute -%}
        {%- set placeholder = {} -%}
        {%- for key in required_keys -%}
            {%- do placeholder.update({key.split('.')[0]: {}}) -%}
        {%- endfor -%}
        {{ return(placeholder) }}
    {%- endif -%}
    {%- set value = var(name, none) -%}
    {%- set hint = "; pass the configuration's values (config/amicable.yml, section " ~ name
        ~ "): `amicable build` does; by hand, give dbt --vars the JSON of"
        ~ " amicable.config.Config.dbt_vars()" -%}
    {%- if value is not mapping -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " is missing or not a mapping" ~ hint) }}
    {%- endif -%}
    {%- for key in required_keys -%}
        {%- set ns = namespace(node=value) -%}
        {%- for part in key.split('.') -%}
            {%- if ns.node is not mapping or part not in ns.node -%}
                {{ exceptions.raise_compiler_error(
                    "var " ~ name ~ " has no key " ~ key ~ hint
                ) }}
            {%- endif -%}
            {%- set ns.node = ns.node[part] -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(value) }}
{%- endmacro %}
