using System.Text;

namespace LexV2.ResourcePolicy.Tool.Output;

/// <summary>A plain-text table with aligned columns; a cell may hold several lines. No colours, no box drawing: safe in CI logs.</summary>
internal sealed class TextTable
{
    private readonly string[] _headers;
    private readonly List<string[][]> _rows = [];

    public TextTable(params string[] headers)
    {
        _headers = headers;
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"Expected {_headers.Length} cells, got {cells.Length}.", nameof(cells));
        }

        _rows.Add([.. cells.Select(c => c.Split('\n'))]);
    }

    public void WriteTo(TextWriter writer)
    {
        int[] widths = [.. _headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Max(line => line.Length))))];
        WriteLine(writer, widths, _headers);
        WriteLine(writer, widths, [.. widths.Select(w => new string('-', w))]);
        foreach (var row in _rows)
        {
            int height = row.Max(c => c.Length);
            for (int line = 0; line < height; line++)
            {
                WriteLine(writer, widths, [.. row.Select(c => line < c.Length ? c[line] : string.Empty)]);
            }
        }
    }

    private static void WriteLine(TextWriter writer, int[] widths, string[] cells)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            sb.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        writer.WriteLine(sb.ToString().TrimEnd());
    }
}
