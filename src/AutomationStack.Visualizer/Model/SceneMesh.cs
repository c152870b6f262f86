namespace AutomationStack.Visualizer.Model;

/// <summary>The vertices of one frame: world geometry (map frame, m) and the overlay (pixels, top-left origin).</summary>
internal sealed class SceneMesh
{
    public VertexList Triangles { get; } = new(4096);

    public VertexList Lines { get; } = new(1024);

    /// <summary>Lidar points (x, y, z triples, map frame), drawn over everything in the world (no depth test).</summary>
    public float[] LidarPoints { get; private set; } = [];

    public int LidarPointCount { get; private set; }

    public VertexList OverlayTriangles { get; } = new(1024);

    public VertexList OverlayLines { get; } = new(4096);

    public void SetLidar(float[] points, int count)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count * 3, points.Length);
        LidarPoints = points;
        LidarPointCount = count;
    }

    public void Clear()
    {
        Triangles.Clear();
        Lines.Clear();
        LidarPoints = [];
        LidarPointCount = 0;
        OverlayTriangles.Clear();
        OverlayLines.Clear();
    }
}

/// <summary>What the overlay shows besides the scene: the timeline and the selected truck's live plots.</summary>
internal sealed record OverlayState(double Start, double End, double Time, bool Playing, double Speed, IReadOnlyList<double> EventTimes, PlotSeries? Plots)
{
    /// <summary>The scene and camera, for labels placed over the world (truck ids, count-down seconds); optional.</summary>
    public Scene? Scene { get; init; }

    public ViewCamera? Camera { get; init; }
}
