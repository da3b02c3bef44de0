{#- A lower-cased text with the accents of Latin letters folded away ("Société Générale" -> "societe generale",
    "Zürich" -> "zurich"; ß, æ, œ, þ spelled out), as revops.identity.persons.std_names does for names, so a
    name typed with and without its accents gives one key. translate() and replace() read the same on DuckDB,
    PostgreSQL and Spark. -#}
{% macro identity_fold_accents(expr) -%}
    translate(
        replace(replace(replace(replace(lower({{ expr }}), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th'),
        'àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšșţťŧțùúûüũūŭůűųŵýÿŷźżž',
        'aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssssttttuuuuuuuuuuwyyyzzz'
    )
{%- endmacro %}
