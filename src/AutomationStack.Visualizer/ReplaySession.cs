using System.Numerics;
using AutomationStack.Visualizer.Model;

namespace AutomationStack.Visualizer;

/// <summary>
/// Everything a frame needs besides GL: the log, the scene builder, the timeline, the followed vehicle and the view
/// mode. <see cref="Prepare"/> is the update step (scene and vertices for the timeline's time); the renderer only
/// draws what it produced.
/// </summary>
internal sealed class ReplaySession : IDisposable
{
    private readonly double[] _eventTimes;

    public ReplaySession(ReplayIndex replay, RoadLayout layout, ViewOptions options)
    {
        ArgumentNullException.ThrowIfNull(replay);
        ArgumentNullException.ThrowIfNull(options);
        Replay = replay;
        Builder = new SceneBuilder(replay, layout);
        var from = Math.Clamp(options.From ?? replay.StartTime, replay.StartTime, replay.EndTime);
        var to = Math.Clamp(options.To ?? replay.EndTime, from, replay.EndTime);
        Timeline = new Timeline(from, to, 1 / options.Fps);
        Timeline.SetSpeed(options.Speed);
        Follow = new FollowCycle(replay.StackTrucks, options.Follow);
        View = options.View;
        _eventTimes = [.. replay.Events.Select(e => ReplayIndex.ToSeconds(e.StampNs))];
    }

    public ReplayIndex Replay { get; }

    public SceneBuilder Builder { get; }

    public Timeline Timeline { get; }

    public FollowCycle Follow { get; }

    public ViewMode View { get; set; }

    public SceneMesh Mesh { get; } = new();

    public Scene? LastScene { get; private set; }

    public ViewCamera? LastCamera { get; private set; }

    /// <summary>Builds the scene at the timeline's time and its vertices; returns the world view-projection.</summary>
    public Matrix4x4 Prepare(int width, int height)
    {
        var scene = Builder.Build(Timeline.Time, Follow.Current);
        Follow.Learn(scene.Vehicles.Select(v => v.Id));
        var camera = CameraFor(scene, View, width, height, Builder.Layout);
        Mesh.Clear();
        MeshBuilder.BuildScene(scene, Mesh);
        var plots = Follow.Current is null ? null : Replay.SeriesOf(Follow.Current);
        var overlay = new OverlayState(Replay.StartTime, Replay.EndTime, Timeline.Time, Timeline.Playing, Timeline.Speed, _eventTimes, plots)
        {
            Scene = scene,
            Camera = camera,
        };
        MeshBuilder.BuildOverlay(overlay, width, height, Mesh);
        LastScene = scene;
        LastCamera = camera;
        return camera.Matrix;
    }

    /// <summary>The camera on the followed vehicle, or on the first vehicle, or on the map's first lane.</summary>
    public static ViewCamera CameraFor(Scene scene, ViewMode mode, int width, int height, RoadLayout layout)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(layout);
        if (scene.Find(scene.SelectedId) is { } followed)
        {
            return new ViewCamera(mode, followed.X, followed.Y, followed.Heading, width, height);
        }

        if (scene.Vehicles.Count > 0)
        {
            var first = scene.Vehicles[0];
            return new ViewCamera(mode, first.X, first.Y, first.Heading, width, height);
        }

        var lane = layout.Lanes.Count > 0 ? layout.Lanes[0] : null;
        return new ViewCamera(mode, lane?.Xs[0] ?? 0, lane?.Ys[0] ?? 0, 0, width, height);
    }

    public void Dispose() => Replay.Dispose();
}
