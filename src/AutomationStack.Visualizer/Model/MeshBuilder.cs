using System.Globalization;

namespace AutomationStack.Visualizer.Model;

/// <summary>
/// Turns a <see cref="Scene"/> (and the road layout, and the overlay state) into vertex lists: pure, no GL. The
/// renderer uploads what this produces; the unit tests inspect it.
/// </summary>
internal static class MeshBuilder
{
    public const double LaneEdgeHeight = 0.02;
    public const double StopLineHeight = 0.05;
    public const double StopLineHalfThickness = 0.3;
    public const double CountdownHeight = 0.06;
    public const double CountdownHalfWidth = 0.25;

    /// <summary>Count-down bar length per second left, m/s; capped at <see cref="CountdownMaxLength"/>.</summary>
    public const double CountdownMetresPerSecond = 1.0;
    public const double CountdownMaxLength = 40;
    public const double LinkHeight = 1.0;
    public const double LinkHalfWidth = 0.4;
    public const double TrackHeight = 0.3;
    public const double TrackHalfLength = 1.5;
    public const double TrackHalfThickness = 0.25;

    /// <summary>Height of the detected-track outlines: above every roof (trucks are 4 m), m.</summary>
    public const double DetectedHeight = 4.6;

    /// <summary>Half the line width of a detected-track outline, m.</summary>
    public const double DetectedHalfThickness = 0.12;
    public const double LightHeight = 6.0;
    public const double LightRadius = 1.2;
    public const double EventRadius = 8.0;
    public const double EventHeight = 0.1;
    public const int CircleSegments = 24;

    /// <summary>Seconds of history in the live plots.</summary>
    public const double PlotWindow = 30;
    public const int PlotWidth = 220;

    /// <summary>Below this panel width (a very small frame) the plots are left out, px.</summary>
    public const int MinPlotWidth = 60;
    public const int PlotHeight = 60;
    public const int PlotMargin = 8;
    public const int PlotLabelHeight = 12;
    public const int TimelineHeight = 8;
    public const int HeaderTextScale = 2;
    public const int PlotTextScale = 1;
    public const int LabelTextScale = 1;
    public const int CountdownTextScale = 2;

    /// <summary>Height above a vehicle's roof its label is anchored at, m (clear of the roof in the chase view).</summary>
    public const double LabelHeightAboveRoof = 2;

    /// <summary>Gap between a world label and what it labels, px.</summary>
    public const int LabelOffset = 10;

    /// <summary>The timeline bar along the bottom of the overlay: left, top, width, height in pixels.</summary>
    public static (double X, double Y, double Width, double Height) TimelineBar(int width, int height) =>
        (PlotMargin, height - PlotMargin - (double)TimelineHeight, width - (2.0 * PlotMargin), TimelineHeight);

    /// <summary>Static road geometry: lane surfaces (triangles) and lane edges (lines).</summary>
    public static void BuildRoads(RoadLayout layout, VertexList triangles, VertexList lines)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(triangles);
        ArgumentNullException.ThrowIfNull(lines);
        foreach (var lane in layout.Lanes)
        {
            var n = lane.Xs.Length;
            if (n < 2)
            {
                continue;
            }

            var half = lane.Width / 2;
            double prevLx = 0, prevLy = 0, prevRx = 0, prevRy = 0;
            for (var i = 0; i < n; i++)
            {
                // Vertex normal: the average direction of the segments meeting here.
                var a = Math.Max(i - 1, 0);
                var b = Math.Min(i + 1, n - 1);
                var dx = lane.Xs[b] - lane.Xs[a];
                var dy = lane.Ys[b] - lane.Ys[a];
                var length = Math.Sqrt((dx * dx) + (dy * dy));
                if (length < 1e-9)
                {
                    continue;
                }

                var nx = -dy / length * half;
                var ny = dx / length * half;
                var lx = lane.Xs[i] + nx;
                var ly = lane.Ys[i] + ny;
                var rx = lane.Xs[i] - nx;
                var ry = lane.Ys[i] - ny;
                if (i > 0)
                {
                    triangles.AddQuad(prevLx, prevLy, prevRx, prevRy, rx, ry, lx, ly, 0, Palette.Road);
                    lines.Add(prevLx, prevLy, LaneEdgeHeight, Palette.LaneEdge);
                    lines.Add(lx, ly, LaneEdgeHeight, Palette.LaneEdge);
                    lines.Add(prevRx, prevRy, LaneEdgeHeight, Palette.LaneEdge);
                    lines.Add(rx, ry, LaneEdgeHeight, Palette.LaneEdge);
                }

                (prevLx, prevLy, prevRx, prevRy) = (lx, ly, rx, ry);
            }
        }
    }

    /// <summary>The scene's world geometry into <paramref name="mesh"/>'s triangles, lines and points.</summary>
    public static void BuildScene(Scene scene, SceneMesh mesh)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(mesh);
        foreach (var v in scene.Vehicles)
        {
            AddBox(mesh.Triangles, v, Palette.Of(v.Class, v.Id == scene.SelectedId, v.Failed));
        }

        foreach (var link in scene.Links)
        {
            if (scene.Find(link.FollowerId) is not { } follower || scene.Find(link.PredecessorId) is not { } predecessor)
            {
                continue;
            }

            var (fs, fc) = Math.SinCos(follower.Heading);
            var (ps, pc) = Math.SinCos(predecessor.Heading);
            mesh.Triangles.AddRibbon(
                follower.X + (fc * follower.Length / 2), follower.Y + (fs * follower.Length / 2),
                predecessor.X - (pc * predecessor.Length / 2), predecessor.Y - (ps * predecessor.Length / 2),
                LinkHalfWidth, LinkHeight, Palette.Of(link.Mode));
        }

        foreach (var line in scene.StopLines)
        {
            var colour = Palette.Of(line.State);
            mesh.Triangles.AddRibbon(line.X1, line.Y1, line.X2, line.Y2, StopLineHalfThickness, StopLineHeight, colour);
            if (line.Remaining is { } remaining && remaining > 0)
            {
                // Count-down bar: back along the lane from the stop line's middle, 1 m per second left.
                var mx = (line.X1 + line.X2) / 2;
                var my = (line.Y1 + line.Y2) / 2;
                var dx = line.X2 - line.X1;
                var dy = line.Y2 - line.Y1;
                var length = Math.Sqrt((dx * dx) + (dy * dy));
                if (length > 1e-9)
                {
                    // The stop line runs left → right across the lane; the lane's travel direction is its left normal.
                    var bx = -dy / length;
                    var by = dx / length;
                    var bar = Math.Min(remaining * CountdownMetresPerSecond, CountdownMaxLength);
                    mesh.Triangles.AddRibbon(mx - (bx * StopLineHalfThickness * 2), my - (by * StopLineHalfThickness * 2), mx - (bx * bar), my - (by * bar), CountdownHalfWidth, CountdownHeight, colour.Scaled(0.7f));
                }
            }
        }

        foreach (var light in scene.Lights)
        {
            AddDisc(mesh.Triangles, light.X, light.Y, LightHeight, LightRadius, Palette.Of(light.State));
        }

        foreach (var track in scene.Tracks)
        {
            var (s, c) = Math.SinCos(track.Heading);
            if (track.TrueX is { } tx && track.TrueY is { } ty)
            {
                mesh.Triangles.AddRibbon(tx + (s * TrackHalfLength), ty - (c * TrackHalfLength), tx - (s * TrackHalfLength), ty + (c * TrackHalfLength), TrackHalfThickness, TrackHeight - 0.05, Palette.LeadTruth);
            }

            mesh.Triangles.AddRibbon(track.EstimatedX + (s * TrackHalfLength), track.EstimatedY - (c * TrackHalfLength), track.EstimatedX - (s * TrackHalfLength), track.EstimatedY + (c * TrackHalfLength), TrackHalfThickness, TrackHeight, Palette.LeadEstimate);
        }

        foreach (var d in scene.Detected)
        {
            // Detected boxes as outlines just above the roofs, so the true boxes under them stay visible.
            var (s, c) = Math.SinCos(d.Heading);
            var hl = d.Length / 2;
            var hw = d.Width / 2;
            Span<double> xs = [d.X + (c * hl) - (s * hw), d.X - (c * hl) - (s * hw), d.X - (c * hl) + (s * hw), d.X + (c * hl) + (s * hw)];
            Span<double> ys = [d.Y + (s * hl) + (c * hw), d.Y - (s * hl) + (c * hw), d.Y - (s * hl) - (c * hw), d.Y + (s * hl) - (c * hw)];
            for (var i = 0; i < 4; i++)
            {
                var j = (i + 1) % 4;
                mesh.Triangles.AddRibbon(xs[i], ys[i], xs[j], ys[j], DetectedHalfThickness, DetectedHeight, Palette.Detected);
            }
        }

        foreach (var e in scene.Events)
        {
            var colour = e.Kind.Contains("collision", StringComparison.OrdinalIgnoreCase) ? Palette.EventCollision : e.IsV2x ? Palette.EventV2x : Palette.EventOther;
            var fade = (float)Math.Clamp(1 - (e.Age / SceneBuilder.EventShowTime), 0.2, 1);
            AddCircle(mesh.Lines, e.X, e.Y, EventHeight, EventRadius * (1 + (e.Age * 0.2)), colour.WithAlpha(fade));
        }

        mesh.SetLidar(scene.LidarPoints, scene.LidarPointCount);
    }

    /// <summary>The overlay: timeline along the bottom, then the four live plots of the selected truck above it.</summary>
    public static void BuildOverlay(OverlayState state, int width, int height, SceneMesh mesh)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(mesh);
        var tris = mesh.OverlayTriangles;
        var lines = mesh.OverlayLines;

        // Timeline: track, progress, event ticks, cursor.
        var (x0, y0, w, _) = TimelineBar(width, height);
        var span = Math.Max(state.End - state.Start, 1e-9);
        var progress = Math.Clamp((state.Time - state.Start) / span, 0, 1);
        tris.AddRect(x0, y0, w, TimelineHeight, Palette.TimelineTrack);
        tris.AddRect(x0, y0, w * progress, TimelineHeight, Palette.TimelineFill);
        foreach (var t in state.EventTimes)
        {
            var ex = x0 + (w * Math.Clamp((t - state.Start) / span, 0, 1));
            lines.Add(ex, y0 - 4, 0, Palette.EventV2x);
            lines.Add(ex, y0, 0, Palette.EventV2x);
        }

        // Play state (triangle or two bars) and speed (one square per step above 0.1×), top left.
        if (state.Playing)
        {
            tris.Add(PlotMargin, PlotMargin, 0, Palette.Cursor);
            tris.Add(PlotMargin, PlotMargin + 14, 0, Palette.Cursor);
            tris.Add(PlotMargin + 12, PlotMargin + 7, 0, Palette.Cursor);
        }
        else
        {
            tris.AddRect(PlotMargin, PlotMargin, 4, 14, Palette.Cursor);
            tris.AddRect(PlotMargin + 8, PlotMargin, 4, 14, Palette.Cursor);
        }

        var speedSteps = Array.IndexOf(Timeline.Speeds, state.Speed);
        for (var i = 0; i <= Math.Max(speedSteps, 0); i++)
        {
            tris.AddRect(PlotMargin + 20 + (i * 8), PlotMargin + 8, 6, 6, i == 3 ? Palette.Cursor : Palette.TimelineFill);
        }

        var header = string.Create(
            CultureInfo.InvariantCulture,
            $"T {state.Time:0.00} S   {state.Speed:0.##}X   {state.Scene?.SelectedId ?? "-"}");
        BitmapFont.AddText(tris, header, PlotMargin + 20 + (Timeline.Speeds.Length * 8) + 8, PlotMargin, HeaderTextScale, Palette.Cursor);
        AddWorldLabels(state, width, height, tris);

        if (state.Plots is null)
        {
            return;
        }

        var kinds = new[] { PlotKind.Speed, PlotKind.Gap, PlotKind.TimeGap, PlotKind.Acceleration };

        // Four panels side by side, narrower than PlotWidth when the frame is.
        var plotWidth = Math.Min(PlotWidth, (width - ((kinds.Length + 1) * PlotMargin)) / kinds.Length);
        if (plotWidth < MinPlotWidth)
        {
            return;
        }

        for (var k = 0; k < kinds.Length; k++)
        {
            var px = PlotMargin + (k * (plotWidth + PlotMargin));
            var py = y0 - PlotMargin - PlotHeight;
            AddPlot(state.Plots, kinds[k], state.Time, px, py, plotWidth, tris, lines);
        }
    }

    /// <summary>Ids above the stack trucks and whole seconds left beside the stop lines, where they are on screen.</summary>
    private static void AddWorldLabels(OverlayState state, int width, int height, VertexList tris)
    {
        if (state.Scene is not { } scene || state.Camera is not { } camera)
        {
            return;
        }

        foreach (var v in scene.Vehicles)
        {
            if (v.Class != VehicleClass.StackTruck && v.Id != scene.SelectedId)
            {
                continue;
            }

            if (camera.WorldToPixel(v.X, v.Y, v.Height + LabelHeightAboveRoof) is { } p && OnScreen(p, width, height))
            {
                var w = BitmapFont.Width(v.Id, LabelTextScale);
                BitmapFont.AddText(tris, v.Id, p.X - (w / 2.0), p.Y - LabelOffset - (BitmapFont.GlyphHeight * LabelTextScale), LabelTextScale, Palette.Cursor);
            }
        }

        foreach (var line in scene.StopLines)
        {
            if (line.Remaining is not { } remaining || camera.WorldToPixel((line.X1 + line.X2) / 2, (line.Y1 + line.Y2) / 2) is not { } p || !OnScreen(p, width, height))
            {
                continue;
            }

            var text = Math.Ceiling(remaining).ToString("0", CultureInfo.InvariantCulture);
            BitmapFont.AddText(tris, text, p.X + LabelOffset, p.Y - LabelOffset - (BitmapFont.GlyphHeight * CountdownTextScale), CountdownTextScale, Palette.Of(line.State));
        }
    }

    private static bool OnScreen((double X, double Y) p, int width, int height) => p.X >= 0 && p.Y >= 0 && p.X < width && p.Y < height;

    private static string PlotLabel(PlotKind kind, double? value)
    {
        var (name, unit, format) = kind switch
        {
            PlotKind.Speed => ("SPEED", "M/S", "0.0"),
            PlotKind.Gap => ("GAP", "M", "0.0"),
            PlotKind.TimeGap => ("TIME GAP", "S", "0.00"),
            _ => ("ACCEL", "M/S2", "0.00"),
        };
        return value is { } v ? $"{name} {v.ToString(format, CultureInfo.InvariantCulture)} {unit}" : $"{name} -";
    }

    private static void AddPlot(PlotSeries series, PlotKind kind, double time, double px, double py, int plotWidth, VertexList tris, VertexList lines)
    {
        tris.AddRect(px, py, plotWidth, PlotHeight, Palette.PanelBackground);
        BitmapFont.AddText(tris, PlotLabel(kind, series.ValueAt(kind, time)), px + 4, py + 4, PlotTextScale, Palette.Of(kind));
        var from = time - PlotWindow;
        var (first, last) = series.Window(kind, from, time);
        var times = series.Times(kind);
        var values = series.Values(kind);
        var min = kind == PlotKind.Acceleration ? -1.0 : 0.0;
        var max = kind == PlotKind.Acceleration ? 1.0 : 1.0;
        for (var i = first; i <= last; i++)
        {
            min = Math.Min(min, values[i]);
            max = Math.Max(max, values[i]);
        }

        // 10 % headroom so that a constant series does not run along the panel's edge.
        var pad = 0.1 * (max - min);
        min -= pad;
        max += pad;
        var range = max - min;
        // The label takes the panel's top PlotLabelHeight pixels; the curve the rest.
        double Y(double v) => py + PlotHeight - 2 - ((v - min) / range * (PlotHeight - PlotLabelHeight - 4));
        double X(double t) => px + ((t - from) / PlotWindow * plotWidth);

        // Zero axis when inside the range.
        if (min < 0 && max > 0)
        {
            lines.Add(px, Y(0), 0, Palette.PanelAxis);
            lines.Add(px + plotWidth, Y(0), 0, Palette.PanelAxis);
        }

        var colour = Palette.Of(kind);
        for (var i = Math.Max(first, 0) + 1; i <= last; i++)
        {
            if (times[i] - times[i - 1] > 3 * ReplayIndex.SeriesPeriod)
            {
                continue; // gap in the series (no lead): no line across it
            }

            lines.Add(X(times[i - 1]), Y(values[i - 1]), 0, colour);
            lines.Add(X(times[i]), Y(values[i]), 0, colour);
        }

        // Current value as a bar along the right edge.
        if (series.ValueAt(kind, time) is { } now)
        {
            var top = Y(Math.Max(now, 0));
            var bottom = Y(Math.Min(now, 0) < min ? min : Math.Min(now, 0));
            tris.AddRect(px + plotWidth - 4, Math.Min(top, bottom), 4, Math.Max(Math.Abs(bottom - top), 1), colour);
        }
    }

    /// <summary>An oriented box (six faces, sides darker than the top) standing on the ground.</summary>
    public static void AddBox(VertexList triangles, VehicleBox v, Rgba colour)
    {
        ArgumentNullException.ThrowIfNull(triangles);
        var (s, c) = Math.SinCos(v.Heading);
        var hl = v.Length / 2;
        var hw = v.Width / 2;

        // Corners counter-clockwise from front-left.
        Span<double> xs = [v.X + (c * hl) - (s * hw), v.X - (c * hl) - (s * hw), v.X - (c * hl) + (s * hw), v.X + (c * hl) + (s * hw)];
        Span<double> ys = [v.Y + (s * hl) + (c * hw), v.Y - (s * hl) + (c * hw), v.Y - (s * hl) - (c * hw), v.Y + (s * hl) - (c * hw)];
        triangles.AddQuad(xs[0], ys[0], xs[1], ys[1], xs[2], ys[2], xs[3], ys[3], v.Height, colour);
        for (var i = 0; i < 4; i++)
        {
            var j = (i + 1) % 4;
            var side = colour.Scaled(i % 2 == 0 ? 0.6f : 0.75f);
            triangles.Add(xs[i], ys[i], 0, side);
            triangles.Add(xs[j], ys[j], 0, side);
            triangles.Add(xs[j], ys[j], v.Height, side);
            triangles.Add(xs[i], ys[i], 0, side);
            triangles.Add(xs[j], ys[j], v.Height, side);
            triangles.Add(xs[i], ys[i], v.Height, side);
        }

        // A front marker: a lighter strip across the front quarter of the roof.
        var front = colour.Scaled(1.25f);
        var q = hl * 0.75;
        triangles.AddQuad(
            v.X + (c * hl) - (s * hw), v.Y + (s * hl) + (c * hw),
            v.X + (c * q) - (s * hw), v.Y + (s * q) + (c * hw),
            v.X + (c * q) + (s * hw), v.Y + (s * q) - (c * hw),
            v.X + (c * hl) + (s * hw), v.Y + (s * hl) - (c * hw),
            v.Height + 0.01, front);
    }

    private static void AddDisc(VertexList triangles, double x, double y, double z, double radius, Rgba colour)
    {
        for (var i = 0; i < CircleSegments; i++)
        {
            var (s0, c0) = Math.SinCos(2 * Math.PI * i / CircleSegments);
            var (s1, c1) = Math.SinCos(2 * Math.PI * (i + 1) / CircleSegments);
            triangles.Add(x, y, z, colour);
            triangles.Add(x + (radius * c0), y + (radius * s0), z, colour);
            triangles.Add(x + (radius * c1), y + (radius * s1), z, colour);
        }
    }

    private static void AddCircle(VertexList lines, double x, double y, double z, double radius, Rgba colour)
    {
        for (var i = 0; i < CircleSegments; i++)
        {
            var (s0, c0) = Math.SinCos(2 * Math.PI * i / CircleSegments);
            var (s1, c1) = Math.SinCos(2 * Math.PI * (i + 1) / CircleSegments);
            lines.Add(x + (radius * c0), y + (radius * s0), z, colour);
            lines.Add(x + (radius * c1), y + (radius * s1), z, colour);
        }
    }
}
