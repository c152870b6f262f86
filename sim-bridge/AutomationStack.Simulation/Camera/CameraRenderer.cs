namespace AutomationStack.Simulation.Camera;

/// <summary>A pixel rectangle (inclusive origin, exclusive far edge).</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height);

/// <summary>
/// CPU renderer of a <see cref="CameraScene"/> through a pinhole <see cref="CameraPose"/>: sky and ground are shaded per
/// pixel (ray against the plane z = 0), boxes and signal heads are triangles rasterised with a depth buffer (depth =
/// 1 / forward distance, interpolated linearly in screen space, so it is perspective-correct). Boxes are flat-shaded by
/// the sun; lit lamps are emissive. Then exposure, glare (bloom around the sun and a veil when looking towards it) and
/// Gaussian pixel noise from a seeded stream. Buffers are allocated once per size; deterministic for the same inputs.
/// After <see cref="Render"/>, <see cref="HeadVisibility"/> says how much of each head's lamp face was visible.
/// </summary>
public sealed class CameraRenderer
{
    private const double NearPlane = 0.3;
    private const int NoObject = 0;

    private static readonly Rgb Sky = new(150, 185, 225);
    private static readonly Rgb Horizon = new(205, 215, 225);
    private static readonly Rgb Housing = new(32, 32, 34);
    private static readonly Rgb Pole = new(110, 110, 112);

    private readonly byte[] _rgb;
    private readonly float[] _depth;
    private readonly int[] _ids;
    private readonly float[] _linear;
    private readonly List<int> _headPotential = [];
    private readonly List<int> _headVisible = [];
    private readonly List<SignalLamp> _lastLamps = [];
    private static readonly float[] NoiseTable = BuildNoiseTable();
    private float[] _glareColumns = [];
    private int _countPixels;

    public CameraRenderer(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 16);
        Width = width;
        Height = height;
        _rgb = new byte[width * height * 3];
        _depth = new float[width * height];
        _ids = new int[width * height];
        _linear = new float[width * height * 3];
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The last image, row-major from the top-left, RGB8.</summary>
    public ReadOnlySpan<byte> Rgb => _rgb;

    /// <summary>The same buffer as <see cref="Rgb"/>, for handing out without a copy (overwritten by the next render).</summary>
    public ReadOnlyMemory<byte> RgbMemory => _rgb;

    /// <summary>Renders <paramref name="scene"/>; <paramref name="noiseSigma"/> is the pixel noise (0–255 scale).</summary>
    public void Render(CameraScene scene, in CameraPose pose, double noiseSigma, ulong noiseSeed)
    {
        ArgumentNullException.ThrowIfNull(scene);
        if (pose.Width != Width || pose.Height != Height)
        {
            throw new ArgumentException($"pose is {pose.Width}×{pose.Height}, the renderer {Width}×{Height}", nameof(pose));
        }

        var frame = new Frame(pose);
        var light = scene.Lighting;
        var sun = SunDirection(light);
        DrawBackground(scene, frame, light, sun);

        var id = 1;
        foreach (var box in scene.Boxes)
        {
            DrawBox(frame, box.X, box.Y, box.Z0, box.Length, box.Width, box.Height, box.Yaw, box.Color, light, sun, id++, emissive: false);
        }

        _headPotential.Clear();
        _headVisible.Clear();
        _lastLamps.Clear();
        foreach (var head in scene.Heads)
        {
            var headId = id++;
            DrawHead(frame, head, light, sun, headId);
            _lastLamps.Add(head.Lamp);
            for (var slot = 0; slot < 3; slot++)
            {
                _headPotential.Add(CountLampPixels(frame, head, slot));
                _headVisible.Add(0);
            }
        }

        if (scene.Heads.Count > 0)
        {
            // Lamp pixels carry the id −(head id × 4 + slot): count what survived the depth test.
            var firstHead = scene.Boxes.Count + 1;
            foreach (var v in _ids)
            {
                if (v < 0)
                {
                    var lamp = ((-v / 4) - firstHead) * 3 + (-v % 4);
                    _headVisible[lamp]++;
                }
            }
        }

        ApplyGlare(frame, light, sun);
        Finish(noiseSigma, noiseSeed);
    }

    /// <summary>
    /// Share (0–1) of head <paramref name="index"/>'s lamp discs visible in the last image: of the lit lamp when one is
    /// lit, else of all three (0 when off-screen).
    /// </summary>
    public double HeadVisibility(int index, SignalLamp lamp)
    {
        var (visible, potential) = (0, 0);
        for (var slot = 0; slot < 3; slot++)
        {
            if (lamp == SignalLamp.Off || (int)lamp == slot + 1)
            {
                visible += _headVisible[(index * 3) + slot];
                potential += _headPotential[(index * 3) + slot];
            }
        }

        return potential == 0 ? 0 : Math.Min(1.0, (double)visible / potential);
    }

    /// <summary>Visibility of head <paramref name="index"/> of the last scene, for the lamp it showed.</summary>
    public double HeadVisibility(int index) => HeadVisibility(index, _lastLamps[index]);

    /// <summary>The image rectangle of a head's housing; false when it is behind the camera or not wholly inside the image.</summary>
    public static bool TryProjectHead(in SignalHead head, in CameraPose pose, out PixelRect rect)
    {
        var frame = new Frame(pose);
        var (cos, sin) = (Math.Cos(head.Yaw), Math.Sin(head.Yaw));
        double minU = double.MaxValue, minV = double.MaxValue, maxU = double.MinValue, maxV = double.MinValue;
        for (var k = 0; k < 8; k++)
        {
            var lx = ((k & 1) == 0 ? -0.5 : 0.5) * SignalHead.HousingDepth;
            var ly = ((k & 2) == 0 ? -0.5 : 0.5) * SignalHead.HousingWidth;
            var z = head.Z + ((k & 4) == 0 ? 0 : SignalHead.HousingHeight);
            var (cx, cy, cz) = frame.ToCamera(head.X + (lx * cos) - (ly * sin), head.Y + (lx * sin) + (ly * cos), z);
            if (cx < NearPlane)
            {
                rect = default;
                return false;
            }

            var (u, v) = frame.Project(cx, cy, cz);
            minU = Math.Min(minU, u);
            maxU = Math.Max(maxU, u);
            minV = Math.Min(minV, v);
            maxV = Math.Max(maxV, v);
        }

        var x0 = (int)Math.Floor(minU);
        var y0 = (int)Math.Floor(minV);
        var x1 = (int)Math.Ceiling(maxU);
        var y1 = (int)Math.Ceiling(maxV);
        rect = new PixelRect(x0, y0, x1 - x0, y1 - y0);
        // Only a head wholly inside the image can be judged: part of a lamp may be outside.
        return x0 >= 0 && y0 >= 0 && x1 <= pose.Width && y1 <= pose.Height && x1 > x0 && y1 > y0;
    }

    private static (double X, double Y, double Z) SunDirection(in Lighting light) => (
        Math.Cos(light.SunElevation) * Math.Cos(light.SunAzimuth),
        Math.Cos(light.SunElevation) * Math.Sin(light.SunAzimuth),
        Math.Sin(light.SunElevation));

    private void DrawBackground(CameraScene scene, in Frame frame, in Lighting light, (double X, double Y, double Z) sun)
    {
        var groundLight = light.Exposure * (light.Ambient + ((1 - light.Ambient) * Math.Max(0, sun.Z)));
        var f = frame.Focal;
        for (var v = 0; v < Height; v++)
        {
            // Without roll, a row's world direction has one vertical component: the sky colour and the ground
            // distance are per row, the ground point moves linearly along the row.
            var dz = -(v + 0.5 - frame.Cy) / f;
            var (ax, ay, wz) = frame.ToWorldDirection(1, -(0.5 - frame.Cx) / f, dz);
            var (bx, by, _) = frame.ToWorldDirection(1, -(1.5 - frame.Cx) / f, dz);
            var row = v * Width;
            if (wz >= -1e-6)
            {
                var sky = Camera.Rgb.Lerp(Horizon, Sky, Math.Clamp(wz * 4, 0, 1));
                for (var u = 0; u < Width; u++)
                {
                    _ids[row + u] = NoObject;
                    _depth[row + u] = 0;
                    SetLinear(row + u, sky, light.Exposure);
                }

                continue;
            }

            var s = -frame.Z / wz;
            var haze = 1 - Math.Exp(-s / 600);
            var keep = (1 - haze) * groundLight;
            var (hr, hg, hb) = (Horizon.R * haze * light.Exposure, Horizon.G * haze * light.Exposure, Horizon.B * haze * light.Exposure);
            var depth = (float)(1.0 / s);
            var (gx, gy) = (frame.X + (ax * s), frame.Y + (ay * s));
            var (sx, sy) = ((bx - ax) * s, (by - ay) * s);
            for (var u = 0; u < Width; u++)
            {
                var p = row + u;
                var ground = scene.Ground?.Shade(gx + (sx * u), gy + (sy * u)) ?? new Rgb(90, 90, 92);
                _ids[p] = NoObject;
                _depth[p] = depth;
                _linear[(p * 3) + 0] = (float)((ground.R * keep) + hr);
                _linear[(p * 3) + 1] = (float)((ground.G * keep) + hg);
                _linear[(p * 3) + 2] = (float)((ground.B * keep) + hb);
            }
        }
    }

    private void SetLinear(int p, Rgb c, double gain)
    {
        _linear[(p * 3) + 0] = (float)(c.R * gain);
        _linear[(p * 3) + 1] = (float)(c.G * gain);
        _linear[(p * 3) + 2] = (float)(c.B * gain);
    }

    private void DrawHead(in Frame frame, in SignalHead head, in Lighting light, (double X, double Y, double Z) sun, int id)
    {
        var (cos, sin) = (Math.Cos(head.Yaw), Math.Sin(head.Yaw));
        // Pole behind the housing, from the ground to the housing's bottom.
        var poleX = head.X - (cos * ((SignalHead.HousingDepth / 2) + 0.06));
        var poleY = head.Y - (sin * ((SignalHead.HousingDepth / 2) + 0.06));
        DrawBox(frame, poleX, poleY, 0, 0.1, 0.1, head.Z + SignalHead.HousingHeight, head.Yaw, Pole, light, sun, id, emissive: false);
        DrawBox(frame, head.X, head.Y, head.Z, SignalHead.HousingDepth, SignalHead.HousingWidth, SignalHead.HousingHeight, head.Yaw, Housing, light, sun, id, emissive: false);
        for (var slot = 0; slot < 3; slot++)
        {
            var lamp = (SignalLamp)(slot + 1);
            var lit = head.Lamp == lamp;
            var color = LampColor(lamp, lit);
            DrawDisc(frame, head, slot, color, lit ? 1.0 : light.Exposure * (light.Ambient + 0.2), -((id * 4) + slot), countOnly: false);
        }
    }

    private int CountLampPixels(in Frame frame, in SignalHead head, int slot)
    {
        _countPixels = 0;
        DrawDisc(frame, head, slot, default, 0, 0, countOnly: true);
        return _countPixels;
    }

    private static Rgb LampColor(SignalLamp lamp, bool lit) => (lamp, lit) switch
    {
        (SignalLamp.Red, true) => new Rgb(255, 45, 35),
        (SignalLamp.Amber, true) => new Rgb(255, 175, 20),
        (SignalLamp.Green, true) => new Rgb(50, 255, 140),
        (SignalLamp.Red, false) => new Rgb(70, 22, 20),
        (SignalLamp.Amber, false) => new Rgb(70, 52, 16),
        _ => new Rgb(18, 60, 36),
    };

    private void DrawDisc(in Frame frame, in SignalHead head, int slot, Rgb color, double gain, int id, bool countOnly)
    {
        const int Segments = 12;
        var (cos, sin) = (Math.Cos(head.Yaw), Math.Sin(head.Yaw));
        var front = (SignalHead.HousingDepth / 2) + 0.01;
        var cx = head.X + (cos * front);
        var cy = head.Y + (sin * front);
        var cz = head.Z + SignalHead.LampHeight(slot);
        Span<(double X, double Y, double Z)> ring = stackalloc (double, double, double)[Segments];
        for (var k = 0; k < Segments; k++)
        {
            var a = 2 * Math.PI * k / Segments;
            var lateral = SignalHead.LampRadius * Math.Cos(a);
            ring[k] = (cx - (sin * lateral), cy + (cos * lateral), cz + (SignalHead.LampRadius * Math.Sin(a)));
        }

        for (var k = 0; k < Segments; k++)
        {
            var b = ring[k];
            var c = ring[(k + 1) % Segments];
            DrawTriangle(frame, (cx, cy, cz), b, c, color, gain, id, countOnly);
        }
    }

    private void DrawBox(in Frame frame, double x, double y, double z0, double length, double width, double height, double yaw, Rgb color,
        in Lighting light, (double X, double Y, double Z) sun, int id, bool emissive)
    {
        var (cos, sin) = (Math.Cos(yaw), Math.Sin(yaw));
        Span<(double X, double Y, double Z)> c = stackalloc (double, double, double)[8];
        for (var k = 0; k < 8; k++)
        {
            var lx = ((k & 1) == 0 ? -0.5 : 0.5) * length;
            var ly = ((k & 2) == 0 ? -0.5 : 0.5) * width;
            c[k] = (x + (lx * cos) - (ly * sin), y + (lx * sin) + (ly * cos), z0 + ((k & 4) == 0 ? 0 : height));
        }

        // Faces as corner indices around each face, with their outward normals (used for culling and shading).
        Face(frame, c, 1, 3, 7, 5, (cos, sin, 0), color, light, sun, id, emissive);       // front (+x)
        Face(frame, c, 2, 0, 4, 6, (-cos, -sin, 0), color, light, sun, id, emissive);     // rear
        Face(frame, c, 3, 2, 6, 7, (-sin, cos, 0), color, light, sun, id, emissive);      // left (+y)
        Face(frame, c, 0, 1, 5, 4, (sin, -cos, 0), color, light, sun, id, emissive);      // right
        Face(frame, c, 4, 5, 7, 6, (0, 0, 1), color, light, sun, id, emissive);           // top
        Face(frame, c, 0, 2, 3, 1, (0, 0, -1), color, light, sun, id, emissive);          // bottom (seen from below)
    }

    private void Face(in Frame frame, ReadOnlySpan<(double X, double Y, double Z)> c, int a, int b, int d, int e, (double X, double Y, double Z) normal,
        Rgb color, in Lighting light, (double X, double Y, double Z) sun, int id, bool emissive)
    {
        // Back-face culling: the camera must be on the outer side of the face.
        var toCamera = (frame.X - c[a].X, frame.Y - c[a].Y, frame.Z - c[a].Z);
        if ((toCamera.Item1 * normal.X) + (toCamera.Item2 * normal.Y) + (toCamera.Item3 * normal.Z) <= 0)
        {
            return;
        }

        var diffuse = Math.Max(0, (normal.X * sun.X) + (normal.Y * sun.Y) + (normal.Z * sun.Z));
        var gain = emissive ? 1.0 : light.Exposure * (light.Ambient + ((1 - light.Ambient) * diffuse));
        DrawTriangle(frame, c[a], c[b], c[d], color, gain, id, countOnly: false);
        DrawTriangle(frame, c[a], c[d], c[e], color, gain, id, countOnly: false);
    }

    private void DrawTriangle(in Frame frame, (double X, double Y, double Z) a, (double X, double Y, double Z) b, (double X, double Y, double Z) c,
        Rgb color, double gain, int id, bool countOnly)
    {
        Span<(double X, double Y, double Z)> poly = stackalloc (double, double, double)[4];
        Span<(double X, double Y, double Z)> cam = stackalloc (double, double, double)[3];
        cam[0] = frame.ToCamera(a.X, a.Y, a.Z);
        cam[1] = frame.ToCamera(b.X, b.Y, b.Z);
        cam[2] = frame.ToCamera(c.X, c.Y, c.Z);

        // Clip against the near plane (camera x ≥ NearPlane): a triangle becomes at most a quad.
        var n = 0;
        for (var i = 0; i < 3; i++)
        {
            var p = cam[i];
            var q = cam[(i + 1) % 3];
            var pin = p.X >= NearPlane;
            var qin = q.X >= NearPlane;
            if (pin)
            {
                poly[n++] = p;
            }

            if (pin != qin)
            {
                var t = (NearPlane - p.X) / (q.X - p.X);
                poly[n++] = (NearPlane, p.Y + ((q.Y - p.Y) * t), p.Z + ((q.Z - p.Z) * t));
            }
        }

        for (var i = 1; i + 1 < n; i++)
        {
            RasterTriangle(frame, poly[0], poly[i], poly[i + 1], color, gain, id, countOnly);
        }
    }

    private void RasterTriangle(in Frame frame, (double X, double Y, double Z) a, (double X, double Y, double Z) b, (double X, double Y, double Z) c,
        Rgb color, double gain, int id, bool countOnly)
    {
        var (ua, va) = frame.Project(a.X, a.Y, a.Z);
        var (ub, vb) = frame.Project(b.X, b.Y, b.Z);
        var (uc, vc) = frame.Project(c.X, c.Y, c.Z);
        var area = ((ub - ua) * (vc - va)) - ((uc - ua) * (vb - va));
        if (Math.Abs(area) < 1e-12)
        {
            return;
        }

        var x0 = (int)Math.Max(0, Math.Floor(Math.Min(ua, Math.Min(ub, uc))));
        var x1 = (int)Math.Min(Width - 1, Math.Ceiling(Math.Max(ua, Math.Max(ub, uc))));
        var y0 = (int)Math.Max(0, Math.Floor(Math.Min(va, Math.Min(vb, vc))));
        var y1 = (int)Math.Min(Height - 1, Math.Ceiling(Math.Max(va, Math.Max(vb, vc))));
        if (x0 > x1 || y0 > y1)
        {
            return;
        }

        var (ia, ib, ic) = (1.0 / a.X, 1.0 / b.X, 1.0 / c.X);
        var inv = 1.0 / area;
        for (var y = y0; y <= y1; y++)
        {
            var py = y + 0.5;
            for (var x = x0; x <= x1; x++)
            {
                var px = x + 0.5;
                var w0 = (((ub - px) * (vc - py)) - ((uc - px) * (vb - py))) * inv;
                var w1 = (((uc - px) * (va - py)) - ((ua - px) * (vc - py))) * inv;
                var w2 = 1 - w0 - w1;
                if (w0 < 0 || w1 < 0 || w2 < 0)
                {
                    continue;
                }

                if (countOnly)
                {
                    _countPixels++;
                    continue;
                }

                var depth = (float)((w0 * ia) + (w1 * ib) + (w2 * ic));
                var p = (y * Width) + x;
                if (depth <= _depth[p])
                {
                    continue;
                }

                _depth[p] = depth;
                _ids[p] = id;
                SetLinear(p, color, gain);
            }
        }
    }

    private void ApplyGlare(in Frame frame, in Lighting light, (double X, double Y, double Z) sun)
    {
        if (light.Glare <= 0)
        {
            return;
        }

        var (sx, sy, sz) = frame.ToCameraDirection(sun.X, sun.Y, sun.Z);
        if (sx <= 0)
        {
            return;
        }

        // Veil: stray light lowers contrast the more the camera looks into the sun.
        var towards = sx / Math.Sqrt((sx * sx) + (sy * sy) + (sz * sz));
        var veil = light.Glare * 120 * Math.Pow(towards, 4);
        var (us, vs) = frame.Project(sx, sy, sz);
        var sigma = 0.15 * Width;
        var bloom = light.Glare * 300;
        // The Gaussian bloom is separable: exp(−(du² + dv²)/2σ²) = row factor × column factor.
        var columns = _glareColumns.Length == Width ? _glareColumns : _glareColumns = new float[Width];
        for (var u = 0; u < Width; u++)
        {
            columns[u] = (float)Math.Exp(-((u - us) * (u - us)) / (2 * sigma * sigma));
        }

        for (var v = 0; v < Height; v++)
        {
            var rowFactor = bloom * Math.Exp(-((v - vs) * (v - vs)) / (2 * sigma * sigma));
            var row = v * Width * 3;
            for (var u = 0; u < Width; u++)
            {
                var add = (float)(veil + (rowFactor * columns[u]));
                var p = row + (u * 3);
                _linear[p] += add;
                _linear[p + 1] += add;
                _linear[p + 2] += add * 0.92f;
            }
        }
    }

    private void Finish(double noiseSigma, ulong noiseSeed)
    {
        if (noiseSigma <= 0)
        {
            for (var i = 0; i < _linear.Length; i++)
            {
                _rgb[i] = (byte)Math.Clamp(MathF.Round(_linear[i]), 0, 255);
            }

            return;
        }

        // Pixel noise from a table of standard normal draws, entered at a seeded offset and walked with a seeded odd
        // stride: cheap enough for every frame, deterministic, and not the same pattern twice.
        var rng = new DeterministicRandom(noiseSeed);
        var mask = NoiseTable.Length - 1;
        var index = (int)(rng.NextUInt64() & (ulong)mask);
        var stride = (int)((rng.NextUInt64() & (ulong)mask) | 1);
        var sigma = (float)noiseSigma;
        for (var i = 0; i < _linear.Length; i++)
        {
            index = (index + stride) & mask;
            _rgb[i] = (byte)Math.Clamp(MathF.Round(_linear[i] + (sigma * NoiseTable[index])), 0, 255);
        }
    }

    private static float[] BuildNoiseTable()
    {
        var rng = new DeterministicRandom(0x5EED_CA3E_0000_0001);
        var table = new float[1 << 16];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (float)rng.NextGaussian();
        }

        return table;
    }

    /// <summary>World ↔ camera transforms of one pose (camera frame: x forward, y left, z up).</summary>
    private readonly struct Frame
    {
        private readonly double _fx, _fy, _fz; // forward
        private readonly double _lx, _ly;      // left (horizontal)
        private readonly double _ux, _uy, _uz; // up

        public Frame(in CameraPose pose)
        {
            X = pose.X;
            Y = pose.Y;
            Z = pose.Z;
            Focal = pose.FocalLength;
            Cx = pose.Width / 2.0;
            Cy = pose.Height / 2.0;
            var (cy, sy) = (Math.Cos(pose.Yaw), Math.Sin(pose.Yaw));
            var (cp, sp) = (Math.Cos(pose.Pitch), Math.Sin(pose.Pitch));
            (_fx, _fy, _fz) = (cy * cp, sy * cp, -sp);
            (_lx, _ly) = (-sy, cy);
            (_ux, _uy, _uz) = (cy * sp, sy * sp, cp);
        }

        public double X { get; }

        public double Y { get; }

        public double Z { get; }

        public double Focal { get; }

        public double Cx { get; }

        public double Cy { get; }

        public (double X, double Y, double Z) ToCamera(double x, double y, double z)
        {
            var (dx, dy, dz) = (x - X, y - Y, z - Z);
            return ToCameraDirection(dx, dy, dz);
        }

        public (double X, double Y, double Z) ToCameraDirection(double dx, double dy, double dz) => (
            (dx * _fx) + (dy * _fy) + (dz * _fz),
            (dx * _lx) + (dy * _ly),
            (dx * _ux) + (dy * _uy) + (dz * _uz));

        public (double X, double Y, double Z) ToWorldDirection(double cx, double cy, double cz) => (
            (cx * _fx) + (cy * _lx) + (cz * _ux),
            (cx * _fy) + (cy * _ly) + (cz * _uy),
            (cx * _fz) + (cz * _uz));

        public (double U, double V) Project(double cx, double cy, double cz) =>
            (Cx - (Focal * cy / cx), Cy - (Focal * cz / cx));
    }
}
