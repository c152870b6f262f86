namespace AutomationStack.Traci.Tests;

/// <summary>
/// Generated SUMO inputs shared by the integration tests (one temp folder per test run, deleted at the end), and
/// the rule for a missing SUMO: fail under CI (CI=true), ignore elsewhere.
/// </summary>
[SetUpFixture]
internal sealed class SumoFiles
{
    private static string? _folder;
    private static string? _unavailable;

    /// <summary>3×3 grid, 200 m edges, 1 lane, traffic lights at every junction.</summary>
    public static string SmallNet => Path.Combine(Folder, "small.net.xml");

    /// <summary>40 vehicles on straight routes of the small grid, one every 0.5 s.</summary>
    public static string SmallRoutes => Path.Combine(Folder, "small.rou.xml");

    /// <summary>6×6 grid, 200 m edges, 2 lanes, traffic lights.</summary>
    public static string LargeNet => Path.Combine(Folder, "large.net.xml");

    /// <summary>300 vehicles, all departing at 0 s at random free positions of their first edge.</summary>
    public static string LargeRoutes => Path.Combine(Folder, "large.rou.xml");

    /// <summary>Edges of the small grid's route "r0" (row 0, west to east).</summary>
    public static IReadOnlyList<string> SmallRoute0 => SumoNetworks.GridStraightRoutes(3, 3)[0];

    private static string Folder => _folder ?? throw new InvalidOperationException("SetUpFixture did not run.");

    [OneTimeSetUp]
    public void Generate()
    {
        if (SumoProcess.FindBinary() is null || SumoNetworks.FindNetgenerate() is null)
        {
            _unavailable = "SUMO is not installed ('sumo' and 'netgenerate' not found on PATH and SUMO_BINARY unset). " +
                           "tools/test.sh installs it (Debian packages sumo sumo-tools); by hand: apt-get install -y sumo sumo-tools.";
            return;
        }

        _folder = Path.Combine(Path.GetTempPath(), "traci-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        SumoNetworks.GenerateGrid(SmallNet, new SumoGridOptions { JunctionsX = 3, JunctionsY = 3, EdgeLength = 200, Lanes = 1 });
        SumoNetworks.WriteRoutes(SmallRoutes, SumoNetworks.GridStraightRoutes(3, 3), 40, departInterval: 0.5);
        SumoNetworks.GenerateGrid(LargeNet, new SumoGridOptions { JunctionsX = 6, JunctionsY = 6, EdgeLength = 200, Lanes = 2 });
        SumoNetworks.WriteRoutes(LargeRoutes, SumoNetworks.GridStraightRoutes(6, 6), 300, departInterval: 0, departPos: "random_free");
    }

    [OneTimeTearDown]
    public void Delete()
    {
        if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        _folder = null;
    }

    /// <summary>Fails (CI=true) or ignores the test when SUMO is missing.</summary>
    public static void RequireSumo()
    {
        if (_unavailable is null) return;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("CI=true and " + _unavailable);
        }

        Assert.Ignore(_unavailable);
    }

    /// <summary>Starts SUMO on the small grid.</summary>
    public static SumoProcess StartSmall(int seed = 42, bool routes = true)
    {
        RequireSumo();
        return SumoProcess.Start(new SumoOptions
        {
            NetFile = SmallNet,
            RouteFiles = routes ? SmallRoutes : null,
            StepLength = 0.1,
            Seed = seed,
            NoWarnings = true,
            ConnectTimeout = TimeSpan.FromSeconds(20),
            CommandTimeout = TimeSpan.FromSeconds(20),
        });
    }

    /// <summary>Starts SUMO on the large grid with 300 vehicles.</summary>
    public static SumoProcess StartLarge(int seed = 42)
    {
        RequireSumo();
        return SumoProcess.Start(new SumoOptions
        {
            NetFile = LargeNet,
            RouteFiles = LargeRoutes,
            StepLength = 0.1,
            Seed = seed,
            NoWarnings = true,
        });
    }
}
