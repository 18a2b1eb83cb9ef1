"""Systematic follow-up (uppföljning): goals, instruments and their scores over a case.

The follow-up app will hold the goals of a decided intervention, their Goal Attainment Scaling
(GAS) ratings and the session series of multi-item rating-scale instruments (the ORS/SRS kind).
For now it holds only the pure scoring those records will call, `scoring.py`: no models, no
database, no Django settings (docs/followup-instruments.md; docs/domain.md §3).
"""
