using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Xml;

namespace AutomationStack.Traci;

/// <summary>Options of a generated grid network (<see cref="SumoNetworks.GenerateGrid"/>).</summary>
public sealed record SumoGridOptions
{
    /// <summary>Junctions along x (columns, named A, B, C …).</summary>
    public int JunctionsX { get; init; } = 3;

    /// <summary>Junctions along y (rows, numbered 0, 1, 2 …).</summary>
    public int JunctionsY { get; init; } = 3;

    /// <summary>Edge length between junctions, m.</summary>
    public double EdgeLength { get; init; } = 200;

    /// <summary>Lanes per edge and direction.</summary>
    public int Lanes { get; init; } = 1;

    /// <summary>Speed limit, m/s.</summary>
    public double SpeedLimit { get; init; } = 13.89;

    /// <summary>Signalised junctions (netgenerate's static traffic-light programs) instead of priority junctions.</summary>
    public bool TrafficLights { get; init; } = true;

    /// <summary>netgenerate seed.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>
/// Produces SUMO inputs: grid networks through SUMO's <c>netgenerate</c> and route files with vehicles on straight
/// routes through such a grid. Output is deterministic for the same options.
/// </summary>
public static class SumoNetworks
{
    /// <summary>
    /// The netgenerate binary: <c>NETGENERATE_BINARY</c> if set, else <c>netgenerate</c> next to the SUMO binary, else
    /// from PATH; null when there is none.
    /// </summary>
    public static string? FindNetgenerate()
    {
        var env = Environment.GetEnvironmentVariable("NETGENERATE_BINARY");
        if (!string.IsNullOrEmpty(env)) return File.Exists(env) ? env : null;
        var sumo = SumoProcess.FindBinary();
        if (sumo is not null)
        {
            var beside = Path.Combine(Path.GetDirectoryName(sumo) ?? ".", "netgenerate");
            if (File.Exists(beside)) return beside;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "netgenerate");
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }

    /// <summary>Edge id of the grid edge from junction (x1, y1) to (x2, y2), e.g. "A0B0".</summary>
    public static string GridEdgeId(int x1, int y1, int x2, int y2) => GridNodeId(x1, y1) + GridNodeId(x2, y2);

    private static string GridNodeId(int x, int y)
    {
        if (x is < 0 or >= 26) throw new ArgumentOutOfRangeException(nameof(x), "Grid columns A to Z are supported.");
        return string.Create(CultureInfo.InvariantCulture, $"{(char)('A' + x)}{y}");
    }

    /// <summary>Runs netgenerate for a grid network and writes <paramref name="netFile"/>.</summary>
    /// <exception cref="InvalidOperationException">netgenerate is missing or failed (message has its output).</exception>
    public static void GenerateGrid(string netFile, SumoGridOptions options)
    {
        ArgumentNullException.ThrowIfNull(netFile);
        ArgumentNullException.ThrowIfNull(options);
        if (options.JunctionsX is < 2 or > 26 || options.JunctionsY < 1 || (options.JunctionsY == 1 && options.JunctionsX < 2))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "A grid needs 2 to 26 columns and at least 1 row.");
        }

        var binary = FindNetgenerate()
            ?? throw new InvalidOperationException("netgenerate not found (Debian: apt-get install sumo).");
        var inv = CultureInfo.InvariantCulture;
        var psi = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] args =
        [
            "--grid",
            "--grid.x-number", options.JunctionsX.ToString(inv),
            "--grid.y-number", options.JunctionsY.ToString(inv),
            "--grid.length", options.EdgeLength.ToString("R", inv),
            "--default.lanenumber", options.Lanes.ToString(inv),
            "--default.speed", options.SpeedLimit.ToString("R", inv),
            "--default-junction-type", options.TrafficLights ? "traffic_light" : "priority",
            "--no-turnarounds", "true",
            "--seed", options.Seed.ToString(inv),
            "--output-file", netFile,
        ];
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start netgenerate '{binary}': {ex.Message}", ex);
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("netgenerate did not finish within 60 s.");
        }

        if (process.ExitCode != 0 || !File.Exists(netFile))
        {
            throw new InvalidOperationException(string.Create(inv,
                $"netgenerate failed with code {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}"));
        }
    }

    /// <summary>
    /// Straight routes through a grid: every row west→east and east→west, every column south→north and
    /// north→south. Route i is named "r{i}".
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> GridStraightRoutes(int junctionsX, int junctionsY)
    {
        var routes = new List<IReadOnlyList<string>>();
        for (int y = 0; y < junctionsY && junctionsX > 1; y++)
        {
            routes.Add([.. Enumerable.Range(0, junctionsX - 1).Select(x => GridEdgeId(x, y, x + 1, y))]);
            routes.Add([.. Enumerable.Range(0, junctionsX - 1).Reverse().Select(x => GridEdgeId(x + 1, y, x, y))]);
        }

        for (int x = 0; x < junctionsX && junctionsY > 1; x++)
        {
            routes.Add([.. Enumerable.Range(0, junctionsY - 1).Select(y => GridEdgeId(x, y, x, y + 1))]);
            routes.Add([.. Enumerable.Range(0, junctionsY - 1).Reverse().Select(y => GridEdgeId(x, y + 1, x, y))]);
        }

        return routes;
    }

    /// <summary>
    /// Writes a route file: one vehicle type "car" (passenger, 4.5 m), routes "r0" … and <paramref name="vehicles"/>
    /// vehicles "v0" … assigned round-robin to the routes, departing every <paramref name="departInterval"/> s
    /// (0 = all at 0 s) at SUMO's <paramref name="departPos"/> (e.g. "base", "random_free"), lane "best", speed "max".
    /// </summary>
    public static void WriteRoutes(string routeFile, IReadOnlyList<IReadOnlyList<string>> routes, int vehicles,
        double departInterval = 1.0, string departPos = "base")
    {
        ArgumentNullException.ThrowIfNull(routeFile);
        ArgumentNullException.ThrowIfNull(routes);
        if (routes.Count == 0) throw new ArgumentException("At least one route is needed.", nameof(routes));
        var inv = CultureInfo.InvariantCulture;
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        using var xml = XmlWriter.Create(routeFile, settings);
        xml.WriteStartElement("routes");
        xml.WriteStartElement("vType");
        xml.WriteAttributeString("id", "car");
        xml.WriteAttributeString("vClass", "passenger");
        xml.WriteAttributeString("length", "4.5");
        xml.WriteAttributeString("accel", "2.6");
        xml.WriteAttributeString("decel", "4.5");
        xml.WriteAttributeString("sigma", "0.5");
        xml.WriteAttributeString("maxSpeed", "20");
        xml.WriteEndElement();
        for (int i = 0; i < routes.Count; i++)
        {
            xml.WriteStartElement("route");
            xml.WriteAttributeString("id", string.Create(inv, $"r{i}"));
            xml.WriteAttributeString("edges", string.Join(' ', routes[i]));
            xml.WriteEndElement();
        }

        for (int v = 0; v < vehicles; v++)
        {
            xml.WriteStartElement("vehicle");
            xml.WriteAttributeString("id", string.Create(inv, $"v{v}"));
            xml.WriteAttributeString("type", "car");
            xml.WriteAttributeString("route", string.Create(inv, $"r{v % routes.Count}"));
            xml.WriteAttributeString("depart", (v * departInterval).ToString("0.###", inv));
            xml.WriteAttributeString("departLane", "best");
            xml.WriteAttributeString("departPos", departPos);
            xml.WriteAttributeString("departSpeed", "max");
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }
}
