{
  "targets": [
    {
      "target_name": "backprop_native",
      "sources": [
        "native/addon.cc",
        "native/conv.cc",
        "native/cpu.cc",
        "native/elementwise.cc",
        "native/fused.cc",
        "native/gemm.cc",
        "native/pool.cc"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-ffp-contract=off", "-fno-math-errno"],
      "cflags_cc": ["-std=c++17"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-O3", "-ffp-contract=off", "-fno-math-errno"],
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17"]
      }
    }
  ]
}
