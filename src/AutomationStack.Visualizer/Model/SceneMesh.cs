namespace AutomationStack.Visualizer.Model;

/// <summary>The vertices of one frame: world geometry (map frame, m) and the overlay (pixels, top-left origin).</summary>
internal sealed class SceneMesh
{
    public VertexList Triangles { get; } = new(4096);

    public VertexList Lines { get; } = new(1024);

    /// <summary>Lidar points (drawn over everything in the world, no depth test).</summary>
    public VertexList Points { get; } = new(32_768);

    public VertexList OverlayTriangles { get; } = new(1024);

    public VertexList OverlayLines { get; } = new(4096);

    public void Clear()
    {
        Triangles.Clear();
        Lines.Clear();
        Points.Clear();
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
