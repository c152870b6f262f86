using System.Globalization;
using System.Text.Json;

namespace AutomationStack.Reporting;

/// <summary>
/// Turns a kpi.json document into tables, generically, so that a KPI added to kpi.json shows up without a change here:
/// the run's scalars; <c>trucks</c> as one column per truck with nested objects flattened to dotted names
/// (<c>string_stability.peak_acceleration</c>); every other object as name/value rows; every array of objects as one
/// row per element. Numbers keep their JSON text.
/// </summary>
internal static class KpiTables
{
    /// <summary>Top-level scalars shown in the summary rather than in a table.</summary>
    private static readonly HashSet<string> SummaryFields = new(StringComparer.Ordinal) { "scenario", "seed", "passed", "failed_criteria" };

    public static IReadOnlyList<KpiTable> FromJson(JsonElement root)
    {
        var tables = new List<KpiTable>();
        var runRows = new List<IReadOnlyList<string>>();
        foreach (var property in root.EnumerateObject())
        {
            if (SummaryFields.Contains(property.Name))
            {
                continue;
            }

            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Object)
            {
                var rows = new List<IReadOnlyList<string>>();
                Flatten(value, string.Empty, (name, cell) => rows.Add([name, cell]));
                tables.Add(new KpiTable(property.Name, ["name", "value"], rows));
            }
            else if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 && value[0].ValueKind == JsonValueKind.Object)
            {
                tables.Add(string.Equals(property.Name, "trucks", StringComparison.Ordinal)
                    ? Transposed(property.Name, value)
                    : RowPerElement(property.Name, value));
            }
            else
            {
                runRows.Add([property.Name, Cell(value)]);
            }
        }

        tables.Insert(0, new KpiTable("run", ["name", "value"], runRows));
        return tables;
    }

    /// <summary>Rows are the flattened field names (first-seen order), columns the elements' <c>id</c>.</summary>
    private static KpiTable Transposed(string title, JsonElement array)
    {
        var names = new List<string>();
        var columns = new List<Dictionary<string, string>>();
        var headers = new List<string> { "KPI" };
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            headers.Add(element.TryGetProperty("id", out var id) ? Cell(id) : index.ToString(CultureInfo.InvariantCulture));
            Flatten(element, string.Empty, (name, cell) =>
            {
                if (string.Equals(name, "id", StringComparison.Ordinal))
                {
                    return;
                }

                if (!cells.ContainsKey(name) && !names.Contains(name))
                {
                    names.Add(name);
                }

                cells[name] = cell;
            });
            columns.Add(cells);
            index++;
        }

        var rows = names
            .Select(name => (IReadOnlyList<string>)[name, .. columns.Select(c => c.TryGetValue(name, out var v) ? v : string.Empty)])
            .ToList();
        return new KpiTable(title, headers, rows);
    }

    private static KpiTable RowPerElement(string title, JsonElement array)
    {
        var names = new List<string>();
        var elements = new List<Dictionary<string, string>>();
        foreach (var element in array.EnumerateArray())
        {
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            Flatten(element, string.Empty, (name, cell) =>
            {
                if (!names.Contains(name))
                {
                    names.Add(name);
                }

                cells[name] = cell;
            });
            elements.Add(cells);
        }

        var rows = elements
            .Select(c => (IReadOnlyList<string>)[.. names.Select(n => c.TryGetValue(n, out var v) ? v : string.Empty)])
            .ToList();
        return new KpiTable(title, names, rows);
    }

    private static void Flatten(JsonElement element, string prefix, Action<string, string> add)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            add(prefix, Cell(element));
            return;
        }

        var empty = true;
        foreach (var property in element.EnumerateObject())
        {
            empty = false;
            Flatten(property.Value, prefix.Length == 0 ? property.Name : prefix + "." + property.Name, add);
        }

        if (empty && prefix.Length > 0)
        {
            add(prefix, "{}");
        }
    }

    /// <summary>A scalar as its JSON text (strings unquoted, null as "null"); arrays as comma-separated cells.</summary>
    internal static string Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? string.Empty,
        JsonValueKind.Array => "[" + string.Join(", ", value.EnumerateArray().Select(Cell)) + "]",
        JsonValueKind.Object => value.GetRawText(),
        _ => value.GetRawText(),
    };
}
