"""Code lists of reports: code systems, imaging modalities, units written the Chinese way and their UCUM codes."""

from __future__ import annotations

CODE_SYSTEMS = ("loinc", "local")

# DICOM modality codes (the ones our exam rooms produce), with Chinese display.
MODALITIES: dict[str, tuple[str, str]] = {
    "CT": ("CT", "Computed tomography"),
    "MR": ("磁共振", "Magnetic resonance"),
    "US": ("超声", "Ultrasound"),
    "DX": ("X线摄影", "Digital radiography"),
    "ECG": ("心电图", "Electrocardiography"),
    "ES": ("内镜", "Endoscopy"),
}

# Units as laboratories print them -> UCUM code. Units not listed keep their printed form without a UCUM code.
UCUM: dict[str, str] = {
    "mmol/L": "mmol/L",
    "μmol/L": "umol/L",
    "umol/L": "umol/L",
    "g/L": "g/L",
    "mg/L": "mg/L",
    "mg/dL": "mg/dL",
    "ng/mL": "ng/mL",
    "pg/mL": "pg/mL",
    "U/L": "U/L",
    "IU/L": "[IU]/L",
    "mIU/L": "m[IU]/L",
    "10^9/L": "10*9/L",
    "×10^9/L": "10*9/L",
    "10^12/L": "10*12/L",
    "×10^12/L": "10*12/L",
    "%": "%",
    "fL": "fL",
    "pg": "pg",
    "mmHg": "mm[Hg]",
    "s": "s",
    "bpm": "/min",
    "次/分": "/min",
    "mL/min": "mL/min",
}

# The label of each interpretation flag (v3-ObservationInterpretation codes).
FLAGS: dict[str, tuple[str, str]] = {
    "H": ("偏高", "High"),
    "L": ("偏低", "Low"),
    "N": ("正常", "Normal"),
    "A": ("异常", "Abnormal"),
}
