using System.Diagnostics;
using System.Globalization;
using AutomationStack.Visualizer.Gl;
using AutomationStack.Visualizer.Model;
using AutomationStack.Visualizer.Native;
using Silk.NET.OpenGL;

namespace AutomationStack.Visualizer;

/// <summary>
/// The <c>view</c> command: opens the log, finds its map, and renders either headless (EGL → FBO → PNG frames, MP4
/// through ffmpeg when present) or in a GLFW window with keyboard control.
/// </summary>
public static class ReplayViewer
{
    /// <summary>Runs the viewer; progress and notes go to <paramref name="log"/>.</summary>
    /// <exception cref="ReplayException">The log (or the map) cannot be read; the message names the file.</exception>
    /// <exception cref="GlUnavailableException">No OpenGL context could be made.</exception>
    /// <exception cref="IOException">Output could not be written.</exception>
    public static void Run(ViewOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var replay = ReplayIndex.Open(options.LogPath);
        RoadLayout layout;
        try
        {
            (layout, var note) = RoadLayoutBuilder.Locate(replay, options.MapPath);
            if (note is not null)
            {
                log.WriteLine($"view: note: {note}");
            }
        }
        catch (Exception ex) when (ex is IOException or AutomationStack.Configuration.ConfigurationException or ArgumentException or FormatException)
        {
            replay.Dispose();
            throw new ReplayException($"{options.MapPath ?? "map"}: {ex.Message}", ex);
        }

        if (options.Follow is { } follow && !replay.StackTrucks.Contains(follow) && !HasVehicle(replay, follow))
        {
            replay.Dispose();
            throw new ReplayException($"{options.LogPath}: no vehicle '{follow}' in the log");
        }

        using var session = new ReplaySession(replay, layout, options);
        try
        {
            if (options.Headless)
            {
                RunHeadless(session, options, log);
            }
            else
            {
                RunWindow(session, options, log);
            }
        }
        catch (Exception ex) when (ex is Mcap.McapFormatException or Google.Protobuf.InvalidProtocolBufferException)
        {
            // A chunk read lazily during playback (e.g. lidar frames) is corrupt.
            throw new ReplayException($"{options.LogPath}: {ex.Message}", ex);
        }
    }

    private static bool HasVehicle(ReplayIndex replay, string id)
    {
        foreach (var v in replay.GroundTruthAt(replay.StartTime).Vehicles)
        {
            if (v.Id == id)
            {
                return true;
            }
        }

        return false;
    }

    private static void RunHeadless(ReplaySession session, ViewOptions options, TextWriter log)
    {
        var outDir = options.OutDir!;
        Directory.CreateDirectory(outDir);
        foreach (var old in Directory.EnumerateFiles(outDir, "frame_*.png"))
        {
            File.Delete(old);
        }

        using var renderer = new HeadlessFrameRenderer(session.Builder.Layout, options.Width, options.Height);
        var timeline = session.Timeline;
        var frames = (int)Math.Floor(((timeline.End - timeline.Start) * options.Fps) + 1e-9) + 1;
        var renderMs = new List<double>(frames);
        var watch = new Stopwatch();
        for (var i = 0; i < frames; i++)
        {
            timeline.Scrub(timeline.Start + (i / options.Fps));
            var matrix = session.Prepare(options.Width, options.Height);
            watch.Restart();
            var rgba = renderer.Render(session.Mesh, matrix);
            renderMs.Add(watch.Elapsed.TotalMilliseconds);
            PngFile.Write(Path.Combine(outDir, FrameName(i + 1)), rgba, options.Width, options.Height);
        }

        renderMs.Sort();
        log.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"view: {frames} frames {options.Width}x{options.Height} from {timeline.Start:0.###} s to {timeline.End:0.###} s in {outDir} (renderer {renderer.RendererName}; render+readback median {renderMs[renderMs.Count / 2]:0.0} ms)"));
        EncodeVideo(outDir, options.Fps, log);
    }

    /// <summary>File name of headless frame <paramref name="number"/> (1-based).</summary>
    public static string FrameName(int number) => string.Create(CultureInfo.InvariantCulture, $"frame_{number:00000}.png");

    private static void EncodeVideo(string outDir, double fps, TextWriter log)
    {
        var ffmpeg = FindOnPath("ffmpeg");
        if (ffmpeg is null)
        {
            log.WriteLine("view: ffmpeg is not on PATH: no replay.mp4 (the PNG frames are written; Debian: apt-get install ffmpeg)");
            return;
        }

        var start = new ProcessStartInfo(ffmpeg)
        {
            WorkingDirectory = outDir,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "-y", "-loglevel", "error", "-framerate", fps.ToString("R", CultureInfo.InvariantCulture), "-i", "frame_%05d.png",
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "replay.mp4",
        })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new IOException("ffmpeg could not be started");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            log.WriteLine($"view: ffmpeg failed (exit {process.ExitCode}): no replay.mp4: {stderr.Result.Trim()}");
            return;
        }

        log.WriteLine($"view: wrote {Path.Combine(outDir, "replay.mp4")}");
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static void RunWindow(ReplaySession session, ViewOptions options, TextWriter log)
    {
        using var window = GlfwWindow.Create(options.Width, options.Height, $"automationstack view — {Path.GetFileName(options.LogPath)}");
        using var gl = GL.GetApi(GlfwWindow.GetProcAddress);
        using var renderer = new SceneRenderer(gl, session.Builder.Layout);
        var keys = new KeyEdges(window);
        var timeline = session.Timeline;
        timeline.Play();
        var clock = Stopwatch.StartNew(); // playback clock only: not in any decision path
        var last = 0.0;
        var frames = 0;
        while (!window.ShouldClose)
        {
            GlfwWindow.PollEvents();
            var quit = false;
            foreach (var key in ViewerControls.Keys)
            {
                if (keys.Pressed(key))
                {
                    var view = session.View;
                    quit |= !ViewerControls.Apply(ViewerControls.ActionOf(key), timeline, session.Follow, ref view);
                    session.View = view;
                }
            }

            if (quit)
            {
                break;
            }

            // Mouse on the timeline bar scrubs (while the button is held).
            if (window.IsLeftButtonDown)
            {
                var (cx, cy) = window.CursorPosition;
                var (fw, fh) = window.FramebufferSize;
                if (ViewerControls.TimeAtCursor(cx, cy, fw, fh, session.Replay.StartTime, session.Replay.EndTime) is { } scrubTo)
                {
                    timeline.Scrub(scrubTo);
                }
            }

            var now = clock.Elapsed.TotalSeconds;
            timeline.Update(now - last);
            last = now;
            var (width, height) = window.FramebufferSize;
            var matrix = session.Prepare(width, height);
            gl.BindFramebuffer(FramebufferTarget.Framebuffer, 0);
            renderer.Render(session.Mesh, matrix, width, height);
            frames++;
            if (options.ExitAfter is { } exitAfter && now >= exitAfter)
            {
                if (options.Screenshot is { } screenshot)
                {
                    var rgba = new byte[width * height * 4];
                    OffscreenTarget.ReadFramebuffer(gl, width, height, rgba, new byte[rgba.Length]);
                    var folder = Path.GetDirectoryName(Path.GetFullPath(screenshot));
                    if (folder is not null)
                    {
                        Directory.CreateDirectory(folder);
                    }

                    PngFile.Write(screenshot, rgba, width, height);
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"view: screenshot {screenshot} ({width}x{height}) at t = {timeline.Time:0.###} s after {frames} frames"));
                }

                break;
            }

            window.SwapBuffers();
        }
    }

    /// <summary>Key presses as edges (down now, up at the last poll).</summary>
    private sealed class KeyEdges(GlfwWindow window)
    {
        private readonly HashSet<int> _down = [];

        public bool Pressed(int key)
        {
            var down = window.IsKeyDown(key);
            var was = _down.Contains(key);
            if (down)
            {
                _down.Add(key);
            }
            else
            {
                _down.Remove(key);
            }

            return down && !was;
        }
    }
}
