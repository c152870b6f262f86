namespace AutomationStack.Perception.Tests;

/// <summary>The committed models, found from the repository root (the folder with AutomationStack.sln).</summary>
internal static class ModelFiles
{
    public static string Root { get; } = FindRoot();

    public static string Classifier => Path.Combine(Root, "models", "traffic_light_classifier.onnx");

    public static string Detector => Path.Combine(Root, "models", "object_detector.onnx");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AutomationStack.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (AutomationStack.sln) not found above " + AppContext.BaseDirectory);
    }
}
