namespace AutomationStack.Visualizer.Model;

/// <summary>
/// A growable list of vertices (x, y, z, r, g, b, a as floats), reused from frame to frame: <see cref="Clear"/> keeps
/// the storage, so steady-state frames allocate nothing.
/// </summary>
internal sealed class VertexList
{
    public const int FloatsPerVertex = 7;

    private float[] _data;

    public VertexList(int capacity = 1024)
    {
        _data = new float[Math.Max(capacity, 16) * FloatsPerVertex];
    }

    public int Count { get; private set; }

    public ReadOnlySpan<float> Data => _data.AsSpan(0, Count * FloatsPerVertex);

    public void Clear() => Count = 0;

    public void Add(double x, double y, double z, Rgba c)
    {
        var i = Count * FloatsPerVertex;
        if (i + FloatsPerVertex > _data.Length)
        {
            Array.Resize(ref _data, _data.Length * 2);
        }

        _data[i] = (float)x;
        _data[i + 1] = (float)y;
        _data[i + 2] = (float)z;
        _data[i + 3] = c.R;
        _data[i + 4] = c.G;
        _data[i + 5] = c.B;
        _data[i + 6] = c.A;
        Count++;
    }

    /// <summary>Two triangles for the quad a-b-c-d (in order round its edge).</summary>
    public void AddQuad(double ax, double ay, double bx, double by, double cx, double cy, double dx, double dy, double z, Rgba c)
    {
        Add(ax, ay, z, c);
        Add(bx, by, z, c);
        Add(cx, cy, z, c);
        Add(ax, ay, z, c);
        Add(cx, cy, z, c);
        Add(dx, dy, z, c);
    }

    /// <summary>A quad of half width <paramref name="halfWidth"/> centred on the segment from (x1, y1) to (x2, y2).</summary>
    public void AddRibbon(double x1, double y1, double x2, double y2, double halfWidth, double z, Rgba c)
    {
        var dx = x2 - x1;
        var dy = y2 - y1;
        var length = Math.Sqrt((dx * dx) + (dy * dy));
        if (length < 1e-9)
        {
            return;
        }

        var nx = -dy / length * halfWidth;
        var ny = dx / length * halfWidth;
        AddQuad(x1 + nx, y1 + ny, x1 - nx, y1 - ny, x2 - nx, y2 - ny, x2 + nx, y2 + ny, z, c);
    }

    /// <summary>An axis-aligned rectangle (overlay pixels).</summary>
    public void AddRect(double x, double y, double width, double height, Rgba c) =>
        AddQuad(x, y, x + width, y, x + width, y + height, x, y + height, 0, c);
}
