"""The notebook sequence: names, titles and the lecture slides each one teaches (notebook 00)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NotebookInfo:
    """One notebook of the course and the lecture slides it teaches."""

    number: int
    name: str  # file name without folder, e.g. "00_course_tour.ipynb"
    title: str  # English title
    title_ko: str  # Korean title, as on the slide where the slide has one
    slides: str  # the lecture slides it teaches


NOTEBOOKS: list[NotebookInfo] = [
    NotebookInfo(0, "00_course_tour.ipynb", "Course tour", "멀티모달 의료 학습 개요",
                 "Multimodal Medical Learning Overview: the six data types; setup check"),
    NotebookInfo(1, "01_image_encoders.ipynb", "Medical image encoders and ViT", "의료 영상 인코더",
                 "Medical Image Encoders; Vision Transformer (ViT) for Medical Imaging"),
    NotebookInfo(2, "02_contrastive_clip.ipynb", "CLIP for medicine", "대조 학습 (Contrastive Learning)",
                 "CLIP Medical Variants; Cross-Modal Alignment; Contrastive Learning"),
    NotebookInfo(3, "03_report_generation.ipynb", "Radiology report generation", "자동 의료 리포트 작성",
                 "Radiology Report Generation"),
    NotebookInfo(4, "04_pathology_wsi_mil.ipynb", "Whole-slide pathology and MIL", "WSI 분석",
                 "Pathology Slide Analysis"),
    NotebookInfo(5, "05_ecg.ipynb", "ECG waveform processing", "심전도 분석",
                 "ECG Waveform Processing"),
    NotebookInfo(6, "06_lung_sounds.ipynb", "Lung sounds", "폐음 분석",
                 "Audio: Lung Sounds Analysis"),
    NotebookInfo(7, "07_genomics.ipynb", "Genomic sequences", "게놈 시퀀스 통합",
                 "Genomic Sequence Integration"),
    NotebookInfo(8, "08_vital_signs.ipynb", "Vital-sign time series", "생체 신호 모니터링",
                 "Time Series: Vital Signs Monitoring"),
    NotebookInfo(9, "09_volumetric_imaging.ipynb", "3D medical imaging", "3D 의료 영상",
                 "3D Medical Imaging"),
    NotebookInfo(10, "10_surgical_video.ipynb", "Surgical video", "수술 영상 분석",
                 "Video: Surgical Analysis"),
    NotebookInfo(11, "11_fusion_strategies.ipynb", "Fusion strategies", "융합 시점 전략",
                 "Early vs Late Fusion; Attention-Based Fusion; GNN Fusion; Hierarchical Integration"),
    NotebookInfo(12, "12_missing_modalities.ipynb", "Missing modalities", "누락 모달리티 처리",
                 "Missing Modality Handling"),
    NotebookInfo(13, "13_evaluation.ipynb", "Evaluation", "성능 평가",
                 "Performance Benchmarks; 폐렴 진단 성능 비교 예시"),
    NotebookInfo(14, "14_interpretability.ipynb", "Interpretability", "해석 가능성",
                 "해석 가능성 필요성; Attention 시각화; XAI 기법"),
    NotebookInfo(15, "15_er_triage_case_study.ipynb", "ER triage case study", "응급실 멀티모달 분류",
                 "Clinical Decision Support; Case Study: Emergency Room Multimodal Triage"),
    NotebookInfo(16, "16_handson_build_your_own.ipynb", "Build your own multimodal model",
                 "멀티모달 모델 구현 실습", "Hands-on: Multimodal Model 구현 실습"),
    NotebookInfo(17, "17_responsible_deployment.ipynb", "Responsible deployment",
                 "멀티모달 의료 AI의 미래", "Future Directions"),
]


def by_name(name: str) -> NotebookInfo:
    """The catalogue entry of a notebook file name (with or without folder)."""
    base = name.rsplit("/", 1)[-1]
    for info in NOTEBOOKS:
        if info.name == base:
            return info
    raise KeyError(f"{base} is not in course_lib.catalog.NOTEBOOKS; add it there first")
