using System.Globalization;
using AutomationStack.Visualizer.Model;

namespace AutomationStack.Visualizer;

/// <summary>
/// Options of <c>automationstack view</c>. Times are seconds of simulated time (the log's), sizes pixels.
/// </summary>
public sealed record ViewOptions
{
    public const int DefaultWidth = 1280;
    public const int DefaultHeight = 720;

    /// <summary>Headless frames per second of simulated time (and the frame step of the window's arrow keys).</summary>
    public const double DefaultFps = 10;

    public const int MinSize = 16;
    public const int MaxSize = 4096;
    public const double MaxFps = 120;

    public const string Usage = """
        usage: automationstack view <run.mcap> [--headless --out <dir>] [--from <s>] [--to <s>] [--fps <n>]
                                   [--size WxH] [--follow <vehicle>] [--view top|chase] [--map <map.yaml>]
                                   [--speed <x>] [--screenshot <png> --exit-after <s>]

          view       replay a run log: every vehicle as an oriented box (stack trucks blue, the followed one light
                     blue, background grey, AGVs orange), lanes, platoon links by mode (CACC green, ACC fallback
                     yellow, joining cyan, emergency orange), the followed truck's lidar points, lead estimates
                     (white) against the true lead (green), stop lines and heads by signal state with a SPaT
                     count-down bar (1 m a second), events as rings (V2X violet), timeline and live plots
                     (speed, gap, time gap, acceleration) of the followed truck
          --headless render without a window (EGL, surfaceless Mesa) into PNG frames <out>/frame_00001.png …, and
                     <out>/replay.mp4 when ffmpeg is on PATH
          --out      output folder for --headless (required with it)
          --from/--to  time range, s of simulated time (default: the whole log)
          --fps      headless frames per simulated second; the window's frame step (default 10)
          --size     frame or window size (default 1280x720)
          --follow   vehicle to follow and plot (default: the first stack truck); Tab cycles in the window
          --view     top (default: top-down, north up) or chase (behind the followed vehicle); v toggles
          --map      map file for the roads (default: the log's map found under sim-bridge/maps by its SHA-256)
          --speed    initial playback speed in the window, 0.1–16 (default 1)
          --screenshot  window only: write this PNG after --exit-after seconds and exit
          --exit-after  window only: close after this many wall-clock seconds
        keys (window): space play/pause, + / - speed, left/right one frame, page up/down 10 s, home/end, tab next
                       vehicle, v top/chase, esc quit; mouse on the timeline bar scrubs

        exit codes: 0 done, 2 bad input (arguments, missing or corrupt log), 3 could not write the output,
                    4 no OpenGL available (library, display or driver)
        """;

    public required string LogPath { get; init; }

    public bool Headless { get; init; }

    public string? OutDir { get; init; }

    public double? From { get; init; }

    public double? To { get; init; }

    public double Fps { get; init; } = DefaultFps;

    public int Width { get; init; } = DefaultWidth;

    public int Height { get; init; } = DefaultHeight;

    public string? Follow { get; init; }

    public ViewMode View { get; init; } = ViewMode.Top;

    public string? MapPath { get; init; }

    public double Speed { get; init; } = 1;

    public string? Screenshot { get; init; }

    public double? ExitAfter { get; init; }

    /// <summary>Parses the arguments after <c>view</c>.</summary>
    /// <exception cref="ArgumentException">A bad or missing argument, named in the message.</exception>
    public static ViewOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? log = null;
        var headless = false;
        string? outDir = null;
        double? from = null;
        double? to = null;
        var fps = DefaultFps;
        var width = DefaultWidth;
        var height = DefaultHeight;
        string? follow = null;
        var view = ViewMode.Top;
        string? map = null;
        var speed = 1.0;
        string? screenshot = null;
        double? exitAfter = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg}: a value is required");
            double Number(double min, double max)
            {
                var text = Value();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= min && v <= max
                    ? v
                    : throw new ArgumentException($"{arg}: expected a number in {min.ToString(CultureInfo.InvariantCulture)}…{max.ToString(CultureInfo.InvariantCulture)}, got '{text}'");
            }

            switch (arg)
            {
                case "--headless":
                    headless = true;
                    break;
                case "--out":
                    outDir = Value();
                    break;
                case "--from":
                    from = Number(0, double.MaxValue);
                    break;
                case "--to":
                    to = Number(0, double.MaxValue);
                    break;
                case "--fps":
                    fps = Number(0.01, MaxFps);
                    break;
                case "--size":
                    var size = Value();
                    var parts = size.Split('x', 'X');
                    if (parts.Length != 2
                        || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out width)
                        || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out height)
                        || width < MinSize || height < MinSize || width > MaxSize || height > MaxSize)
                    {
                        throw new ArgumentException($"--size: expected WxH with each side {MinSize}…{MaxSize}, got '{size}'");
                    }

                    break;
                case "--follow":
                    follow = Value();
                    break;
                case "--view":
                    var v = Value();
                    view = v switch
                    {
                        "top" => ViewMode.Top,
                        "chase" => ViewMode.Chase,
                        _ => throw new ArgumentException($"--view: expected top or chase, got '{v}'"),
                    };
                    break;
                case "--map":
                    map = Value();
                    break;
                case "--speed":
                    speed = Number(Timeline.MinSpeed, Timeline.MaxSpeed);
                    break;
                case "--screenshot":
                    screenshot = Value();
                    break;
                case "--exit-after":
                    exitAfter = Number(0, 86_400);
                    break;
                default:
                    if (arg.StartsWith('-') || log is not null)
                    {
                        throw new ArgumentException($"unexpected argument '{arg}'");
                    }

                    log = arg;
                    break;
            }
        }

        if (log is null)
        {
            throw new ArgumentException("view needs a run.mcap file");
        }

        if (headless && outDir is null)
        {
            throw new ArgumentException("--headless needs --out <dir>");
        }

        if (!headless && outDir is not null)
        {
            throw new ArgumentException("--out is for --headless");
        }

        if (headless && (screenshot is not null || exitAfter is not null))
        {
            throw new ArgumentException("--screenshot and --exit-after are for the window (without --headless)");
        }

        if (screenshot is not null && exitAfter is null)
        {
            throw new ArgumentException("--screenshot needs --exit-after <s>");
        }

        if (from is { } f && to is { } t && t < f)
        {
            throw new ArgumentException($"--to ({t.ToString(CultureInfo.InvariantCulture)}) is before --from ({f.ToString(CultureInfo.InvariantCulture)})");
        }

        return new ViewOptions
        {
            LogPath = log, Headless = headless, OutDir = outDir, From = from, To = to, Fps = fps, Width = width, Height = height,
            Follow = follow, View = view, MapPath = map, Speed = speed, Screenshot = screenshot, ExitAfter = exitAfter,
        };
    }
}
