"""The JSON body of the B0 calibration: the Django view and the bare ASGI app send these bytes."""

import json

# About 4 KB, like the calibration run recorded in DESIGN.md §7.
PAYLOAD = {
    "count": 40,
    "results": [
        {
            "id": i,
            "name": f"楼宇 {i:04d}",
            "kind": "building",
            "path": f"/1/2/3/{i}/",
            "floors": i % 30,
        }
        for i in range(40)
    ],
}
BODY = json.dumps(PAYLOAD).encode()
